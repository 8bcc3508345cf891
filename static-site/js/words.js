// What the guest's pages say, in each language they speak. A page asks `t('key', { name })`;
// the language is the browser's first one spoken here, unless the guest picked another.

const WORDS = {
  en: {
    'menu.search': 'Search the menu',
    'menu.filters': 'Show only',
    'menu.categories': 'Categories',
    'menu.nothing_found': 'Nothing on the menu matches. Clear the search or the filters.',
    'menu.add': 'Add',
    'menu.add_named': 'Add {name}',
    'menu.sold_out': 'Sold out',
    'menu.contains': 'contains: {list}',
    'menu.table': 'Ordering for table {table}',
    'menu.unknown_table': 'This restaurant has no table {table}. Ask the staff for the table’s code, or order for pickup below.',
    'menu.updated': 'The menu just changed.',
    'menu.open_orders': 'Your orders',
    'menu.closed': 'Closed now. Opens {when}.',
    'menu.closed_for_now': 'Closed now.',
    'options.for': 'Options for {name}',
    'options.choose_exactly': 'choose {n}',
    'options.choose_between': 'choose {min}–{max}',
    'options.up_to': 'up to {max}',
    'options.note': 'Note for the kitchen (optional)',
    'options.quantity': 'Quantity',
    'options.add': 'Add to order',
    'cart.title': 'Your order',
    'cart.empty': 'Nothing yet: add something from the menu.',
    'cart.items': '{count} items',
    'cart.item': '1 item',
    'cart.view': 'View order',
    'cart.added': 'Added {name}',
    'cart.less': 'One fewer {name}',
    'cart.more': 'One more {name}',
    'cart.remove': 'Remove {name}',
    'cart.total': 'Total',
    'cart.tax_included': 'incl. {tax} tax',
    'cart.tax_added': 'plus {tax} tax',
    'cart.note': 'Note',
    'cart.add_note': 'Add a note',
    'cart.save_note': 'Save note',
    'cart.sold_out_line': '{name} is sold out now. Remove it to order.',
    'cart.gone_line': 'This dish is not on the menu any more. Remove it to order.',
    'cart.gone_name': 'A dish no longer on the menu',
    'cart.cannot_order': 'Your order cannot be placed yet: see above.',
    'checkout.title': 'Checkout',
    'checkout.how': 'How would you like it?',
    'checkout.at_table': 'At table {table}',
    'checkout.pickup': 'Pickup',
    'checkout.delivery': 'Delivery',
    'checkout.name': 'Your name',
    'checkout.phone': 'Phone (optional)',
    'checkout.phone_delivery': 'Phone (for the driver)',
    'checkout.address': 'Delivery address',
    'checkout.order': 'Order',
    'checkout.ordering': 'Ordering…',
    'checkout.closed': 'The restaurant is closed right now, so it cannot take orders.',
    'error.offline': 'We could not reach the restaurant. Check your connection and try again.',
    'error.address_required': 'Tell us where to deliver.',
    'error.name_required': 'Tell us your name, so we can call you.',
    'error.restaurant_closed': 'The restaurant is closed right now, so it cannot take orders.',
    'error.order_type_not_offered': 'The restaurant does not offer this right now. Choose another way.',
    'error.unknown_table': 'This restaurant has no such table. Ask the staff for the table’s code.',
    'error.item_sold_out': 'Something in your order is sold out now. Remove it to order.',
    'error.item_unavailable': 'Something in your order is not on the menu now. Remove it to order.',
    'error.unknown_item': 'Something in your order is not on the menu now. Remove it to order.',
    'error.too_few_choices': 'Please make a choice for each option.',
    'error.too_many_choices': 'Too many choices for one of the options.',
    'error.cart_full': 'Your order has as many lines as it can hold.',
    'error.too_many_of_one': 'That is more of one dish than one order can hold (99).',
    'error.cart_empty': 'Your order is empty.',
    'error.cart_changed': 'Your order changed while you were ordering. Check it and order again.',
    'error.not_found': 'We could not find this any more. Reload the page.',
    'error.rate_limited': 'Too many tries at once. Wait a minute and try again.',
    'error.field': 'Please check this field.',
    'error.generic': 'Something went wrong. Please try again.',
    'order.title': 'Order #{number}',
    'order.connecting': 'Connecting…',
    'order.live': 'Live updates on',
    'order.reconnecting': 'Reconnecting…',
    'order.placed_at': 'Placed {time}',
    'order.cancel': 'Cancel order',
    'order.print': 'Print receipt',
    'receipt.title': 'Receipt',
    'receipt.number': 'Order #{number}',
    'receipt.subtotal': 'Subtotal',
    'receipt.tax_included': 'Included tax {rate}',
    'receipt.tax_added': 'Tax {rate}',
    'order.at_table': 'At table {table}',
    'order.pickup': 'Pickup',
    'order.delivery_to': 'Delivery to {address}',
    'state.placed': 'Placed', 'state.accepted': 'Accepted', 'state.rejected': 'Rejected', 'state.cancelled': 'Cancelled',
    'state.preparing': 'Preparing', 'state.ready': 'Ready', 'state.out_for_delivery': 'Out for delivery', 'state.completed': 'Completed',
    'diet.vegetarian': 'Vegetarian', 'diet.vegan': 'Vegan', 'diet.gluten_free': 'Gluten-free', 'diet.halal': 'Halal', 'diet.kosher': 'Kosher',
    'language': 'Language',
  },
  de: {
    'menu.search': 'Speisekarte durchsuchen',
    'menu.filters': 'Nur anzeigen',
    'menu.categories': 'Kategorien',
    'menu.nothing_found': 'Nichts auf der Karte passt. Suche oder Filter zurücksetzen.',
    'menu.add': 'Hinzufügen',
    'menu.add_named': '{name} hinzufügen',
    'menu.sold_out': 'Ausverkauft',
    'menu.contains': 'enthält: {list}',
    'menu.table': 'Bestellung für Tisch {table}',
    'menu.unknown_table': 'Dieses Restaurant hat keinen Tisch {table}. Fragen Sie das Personal nach dem Code des Tisches, oder bestellen Sie unten zum Abholen.',
    'menu.updated': 'Die Karte hat sich gerade geändert.',
    'menu.open_orders': 'Ihre Bestellungen',
    'menu.closed': 'Gerade geschlossen. Öffnet {when}.',
    'menu.closed_for_now': 'Gerade geschlossen.',
    'options.for': 'Auswahl für {name}',
    'options.choose_exactly': '{n} wählen',
    'options.choose_between': '{min}–{max} wählen',
    'options.up_to': 'bis zu {max}',
    'options.note': 'Hinweis für die Küche (optional)',
    'options.quantity': 'Menge',
    'options.add': 'Zur Bestellung',
    'cart.title': 'Ihre Bestellung',
    'cart.empty': 'Noch nichts: wählen Sie etwas von der Karte.',
    'cart.items': '{count} Artikel',
    'cart.item': '1 Artikel',
    'cart.view': 'Bestellung ansehen',
    'cart.added': '{name} hinzugefügt',
    'cart.less': 'Ein {name} weniger',
    'cart.more': 'Ein {name} mehr',
    'cart.remove': '{name} entfernen',
    'cart.total': 'Summe',
    'cart.tax_included': 'inkl. {tax} MwSt.',
    'cart.tax_added': 'zzgl. {tax} MwSt.',
    'cart.note': 'Hinweis',
    'cart.add_note': 'Hinweis hinzufügen',
    'cart.save_note': 'Hinweis speichern',
    'cart.sold_out_line': '{name} ist jetzt ausverkauft. Bitte entfernen, um zu bestellen.',
    'cart.gone_line': 'Dieses Gericht steht nicht mehr auf der Karte. Bitte entfernen, um zu bestellen.',
    'cart.gone_name': 'Ein Gericht, das nicht mehr auf der Karte steht',
    'cart.cannot_order': 'Die Bestellung kann noch nicht abgeschickt werden: siehe oben.',
    'checkout.title': 'Bestellen',
    'checkout.how': 'Wie möchten Sie es?',
    'checkout.at_table': 'Am Tisch {table}',
    'checkout.pickup': 'Abholung',
    'checkout.delivery': 'Lieferung',
    'checkout.name': 'Ihr Name',
    'checkout.phone': 'Telefon (optional)',
    'checkout.phone_delivery': 'Telefon (für den Fahrer)',
    'checkout.address': 'Lieferadresse',
    'checkout.order': 'Bestellen',
    'checkout.ordering': 'Wird bestellt…',
    'checkout.closed': 'Das Restaurant ist gerade geschlossen und nimmt keine Bestellungen an.',
    'error.offline': 'Das Restaurant ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es noch einmal.',
    'error.address_required': 'Bitte geben Sie die Lieferadresse an.',
    'error.name_required': 'Bitte geben Sie Ihren Namen an, damit wir Sie aufrufen können.',
    'error.restaurant_closed': 'Das Restaurant ist gerade geschlossen und nimmt keine Bestellungen an.',
    'error.order_type_not_offered': 'Das bietet das Restaurant gerade nicht an. Bitte wählen Sie etwas anderes.',
    'error.unknown_table': 'Diesen Tisch gibt es hier nicht. Fragen Sie das Personal nach dem Code des Tisches.',
    'error.item_sold_out': 'Etwas in Ihrer Bestellung ist jetzt ausverkauft. Bitte entfernen, um zu bestellen.',
    'error.item_unavailable': 'Etwas in Ihrer Bestellung steht gerade nicht auf der Karte. Bitte entfernen, um zu bestellen.',
    'error.unknown_item': 'Etwas in Ihrer Bestellung steht gerade nicht auf der Karte. Bitte entfernen, um zu bestellen.',
    'error.too_few_choices': 'Bitte treffen Sie für jede Option eine Auswahl.',
    'error.too_many_choices': 'Zu viele Auswahlen bei einer Option.',
    'error.cart_full': 'Ihre Bestellung hat so viele Zeilen, wie sie fassen kann.',
    'error.too_many_of_one': 'So viel von einem Gericht fasst eine Bestellung nicht (höchstens 99).',
    'error.cart_empty': 'Ihre Bestellung ist leer.',
    'error.cart_changed': 'Ihre Bestellung hat sich beim Bestellen geändert. Bitte prüfen und noch einmal bestellen.',
    'error.not_found': 'Das gibt es nicht mehr. Bitte laden Sie die Seite neu.',
    'error.rate_limited': 'Zu viele Versuche auf einmal. Bitte warten Sie eine Minute.',
    'error.field': 'Bitte prüfen Sie dieses Feld.',
    'error.generic': 'Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.',
    'order.title': 'Bestellung Nr. {number}',
    'order.connecting': 'Verbinde…',
    'order.live': 'Live-Updates an',
    'order.reconnecting': 'Verbinde neu…',
    'order.placed_at': 'Bestellt {time}',
    'order.cancel': 'Bestellung stornieren',
    'order.print': 'Beleg drucken',
    'receipt.title': 'Beleg',
    'receipt.number': 'Bestellung Nr. {number}',
    'receipt.subtotal': 'Zwischensumme',
    'receipt.tax_included': 'Enthaltene MwSt. {rate}',
    'receipt.tax_added': 'MwSt. {rate}',
    'order.at_table': 'Am Tisch {table}',
    'order.pickup': 'Abholung',
    'order.delivery_to': 'Lieferung an {address}',
    'state.placed': 'Bestellt', 'state.accepted': 'Angenommen', 'state.rejected': 'Abgelehnt', 'state.cancelled': 'Storniert',
    'state.preparing': 'In Zubereitung', 'state.ready': 'Fertig', 'state.out_for_delivery': 'Unterwegs', 'state.completed': 'Abgeschlossen',
    'diet.vegetarian': 'Vegetarisch', 'diet.vegan': 'Vegan', 'diet.gluten_free': 'Glutenfrei', 'diet.halal': 'Halal', 'diet.kosher': 'Koscher',
    'language': 'Sprache',
  },
};

export const LANGUAGES = { en: 'English', de: 'Deutsch' };
const CHOSEN = 'bistro.language';

let restaurantDefault = null;

/** The guest's language: the one they picked, else the first of the browser's we speak, else the
 *  restaurant's own, else English. */
export function lang() {
  const picked = localStorage.getItem(CHOSEN);
  if (picked && WORDS[picked]) return picked;
  const spoken = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2).toLowerCase());
  return spoken.find((l) => WORDS[l]) ?? (WORDS[restaurantDefault] ? restaurantDefault : 'en');
}

/** The restaurant's language, for guests whose browser asks for none we speak. */
export function useRestaurantLanguage(code) {
  restaurantDefault = code ?? null;
  document.documentElement.lang = lang();
}

export function setLang(code) {
  localStorage.setItem(CHOSEN, code);
  document.documentElement.lang = code;
}

/** The text for `key` in the guest's language, with `{name}` parts filled in. */
export function t(key, vars = {}) {
  const text = WORDS[lang()][key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** What a refused request means to a guest: never the server's or a parser's own words. */
export function guestMessage(problem) {
  const key = `error.${problem?.code}`;
  if (WORDS.en[key]) return t(key);
  if (problem?.status === 404) return t('error.not_found');
  if (problem?.field) return t('error.field');
  return t('error.generic');
}
