// The live-update client (lib/realtime/REALTIME.md): resume after every reconnect, nothing missed,
// nothing twice, whatever order the frames arrive in. On AWS a replay (sent by `ws`) and a live
// post (sent by `notifier`) can cross, so 42, 46, 43 is normal: every number not seen yet is
// applied, and the pages keep the newest version of each order.
import { config } from './api.js';

/** How long a board waits for a missing number before it asks for the events again. */
const GAP_WAIT_MS = 2000;
/** Sockets refused in a row (the server's caps, a network that blocks them) before the page says so
 *  and reads what it shows over HTTP instead, every `POLL_MS`, while it still tries now and then. */
const REFUSALS_BEFORE_POLLING = 3;
const POLL_MS = 15_000;
const RETRY_WHILE_POLLING_MS = 30_000;

/**
 * The numbers a socket has seen. `contiguous` is the highest number up to which nothing is
 * missing: where a resume starts. Only a board sees every number of its restaurant; a guest or a
 * driver sees some, so for them the highest number seen is where a resume starts.
 */
export function sequence(start = null) {
  let contiguous = start;
  let highest = start;
  const above = new Set();
  return {
    /** Records `seq`; false when it was seen before. */
    add(seq) {
      if ((contiguous !== null && seq <= contiguous) || above.has(seq)) return false;
      above.add(seq);
      highest = highest === null ? seq : Math.max(highest, seq);
      if (contiguous === null) contiguous = seq - 1;
      while (above.has(contiguous + 1)) { contiguous += 1; above.delete(contiguous); }
      return true;
    },
    /** Everything up to `seq` is known (a `resumed` says so). */
    through(seq) {
      if (seq === null || seq === undefined) return;
      if (contiguous === null || seq > contiguous) contiguous = seq;
      for (const n of above) if (n <= contiguous) above.delete(n);
      while (above.has(contiguous + 1)) { contiguous += 1; above.delete(contiguous); }
      highest = highest === null ? seq : Math.max(highest, seq);
    },
    reset() { contiguous = null; highest = null; above.clear(); },
    get gap() { return above.size > 0; },
    get contiguous() { return contiguous; },
    get highest() { return highest; },
  };
}

export async function connectLive(query, { onOrder, onStatus = () => {}, onResync = () => {}, onEnded = () => {}, lastSeq = null }) {
  const { wsUrl } = await config();
  const base = wsUrl || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const seen = sequence(lastSeq);
  let board = false;
  let socket;
  let delay = 500;
  let stopped = false;
  let everLive = false;
  let ping;
  let gapTimer;
  let refusals = 0;
  let poller;

  function stopPolling() {
    clearInterval(poller);
    poller = undefined;
  }
  function startPolling() {
    if (poller) return;
    onResync();
    poller = setInterval(() => (stopped ? stopPolling() : onResync()), POLL_MS);
  }

  const resumePoint = () => (board ? seen.contiguous : seen.highest);
  const resume = (from) => socket.readyState === 1 && socket.send(JSON.stringify({ type: 'resume', last_seq: from }));

  function deliver(message) {
    if (!seen.add(message.seq)) return;
    // A message cut to fit a frame lacks lines: the page reads that order again over HTTP.
    onOrder(message.order, { seq: message.seq, truncated: message.truncated });
  }

  // A board missing a number asks for what follows the last one it has, once the frames that
  // merely crossed have had a moment to arrive.
  function watchGap() {
    if (!board || !seen.gap || gapTimer) return;
    gapTimer = setTimeout(() => {
      gapTimer = undefined;
      if (seen.gap) resume(seen.contiguous);
    }, GAP_WAIT_MS);
  }

  function open() {
    let buffered = [];
    onStatus(everLive ? 'reconnecting' : 'connecting');
    socket = new WebSocket(`${base}?${new URLSearchParams(query)}`);
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      refusals = 0;
      stopPolling();
      delay = 500;
      resume(resumePoint());
      // API Gateway closes sockets idle for 10 minutes.
      ping = setInterval(() => socket.readyState === 1 && socket.send('{"type":"ping"}'), 5 * 60 * 1000);
    });
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'order') {
        // Until the replay ends, keep what comes and apply it in number order then.
        if (buffered) buffered.push(message); else { deliver(message); watchGap(); }
      } else if (message.type === 'resumed') {
        board = message.subscription?.type === 'board';
        const replay = buffered ?? [];
        buffered = null;
        replay.sort((a, b) => a.seq - b.seq).forEach(deliver);
        // The server sent everything up to its last number that this socket may see (a guest's or
        // a driver's numbers have holes that are not gaps); what follows comes live.
        seen.through(message.last_seq ?? 0);
        everLive = true;
        onStatus('live');
        watchGap();
      } else if (message.type === 'resync') {
        buffered = [];
        seen.reset();
        onResync();
        resume(null);
      } else if (message.type === 'error' && message.code === 'session_ended') {
        // The account was removed, disabled or changed: reconnecting with this login cannot work.
        stopped = true;
        socket.close();
        onEnded();
      }
    });
    socket.addEventListener('close', () => {
      clearInterval(ping);
      clearTimeout(gapTimer);
      gapTimer = undefined;
      if (stopped) { stopPolling(); return; }
      refusals = opened ? 0 : refusals + 1;
      if (refusals >= REFUSALS_BEFORE_POLLING) {
        onStatus('polling');
        startPolling();
        setTimeout(open, RETRY_WHILE_POLLING_MS);
        return;
      }
      onStatus('reconnecting');
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }
  open();
  return { stop() { stopped = true; stopPolling(); socket?.close(); }, get lastSeq() { return resumePoint(); } };
}
