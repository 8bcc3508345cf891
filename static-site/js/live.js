// The live-update client (lib/realtime/REALTIME.md): resume after every reconnect, nothing missed,
// nothing twice.
import { config } from './api.js';

export async function connectLive(query, { onOrder, onStatus = () => {}, onResync = () => {}, onEnded = () => {}, lastSeq = null }) {
  const { wsUrl } = await config();
  const base = wsUrl || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  let last = lastSeq;
  let socket;
  let delay = 500;
  let stopped = false;
  let ping;

  function open() {
    onStatus(last === null ? 'connecting' : 'reconnecting');
    socket = new WebSocket(`${base}?${new URLSearchParams(query)}`);
    socket.addEventListener('open', () => {
      delay = 500;
      socket.send(JSON.stringify({ type: 'resume', last_seq: last }));
      // API Gateway closes sockets idle for 10 minutes.
      ping = setInterval(() => socket.readyState === 1 && socket.send('{"type":"ping"}'), 5 * 60 * 1000);
    });
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'order') {
        if (last !== null && message.seq <= last) return;
        last = message.seq;
        // A message cut to fit a frame lacks lines: the page reads that order again over HTTP.
        onOrder(message.order, { seq: message.seq, truncated: message.truncated });
      } else if (message.type === 'resumed') {
        last = Math.max(last ?? 0, message.last_seq);
        onStatus('live');
      } else if (message.type === 'resync') {
        last = null;
        onResync();
        socket.send(JSON.stringify({ type: 'resume', last_seq: null }));
      } else if (message.type === 'error' && message.code === 'session_ended') {
        // The account was removed, disabled or changed: reconnecting with this login cannot work.
        stopped = true;
        socket.close();
        onEnded();
      }
    });
    socket.addEventListener('close', () => {
      clearInterval(ping);
      if (stopped) return;
      onStatus('reconnecting');
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }
  open();
  return { stop() { stopped = true; socket?.close(); }, get lastSeq() { return last; } };
}
