// What the guest's pages say, in each language they speak. A page asks `t('key', { name })`;
// the language is the browser's first one spoken here, unless the guest picked another.
// English is here; another language's words are fetched only by a page that speaks it
// (`loadWords`), so a guest downloads one language.

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
    'menu.menu_only': 'This restaurant shows its menu here but does not take orders online.',
    'menu.no_table_orders': 'Ordering from the table is not available here. Please order with the staff.',
    'menu.paused': 'The kitchen is not taking new orders just now.',
    'menu.paused_until': 'The kitchen is not taking new orders until {time}.',
    'options.for': 'Options for {name}',
    'options.choose_exactly': 'choose {n}',
    'options.choose_between': 'choose {min}–{max}',
    'options.up_to': 'up to {max}',
    'options.note': 'Note for the kitchen (optional)',
    'options.note_too_long': 'A note takes at most {max} characters; this one has {length}.',
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
    'checkout.postcode': 'Postcode',
    'checkout.postcodes': 'We deliver to {list}.',
    'checkout.delivery_fee': 'Delivery costs {fee}, added to your total.',
    'checkout.below_minimum': 'We deliver from {minimum} of food: add {short} more, or choose pickup.',
    'checkout.order': 'Order',
    'checkout.ordering': 'Ordering…',
    'checkout.closed': 'The restaurant is closed right now, so it cannot take orders.',
    'error.offline': 'We could not reach the restaurant. Check your connection and try again.',
    'error.address_required': 'Tell us where to deliver.',
    'error.phone_required': 'Give us a phone number, so the driver can call you.',
    'error.postcode_required': 'Tell us the postcode, so we know we deliver there.',
    'error.postcode_not_delivered': 'We do not deliver to this postcode. Choose pickup, or another address.',
    'error.below_delivery_minimum': 'Your order is below the least we deliver. Add something, or choose pickup.',
    'error.name_required': 'Tell us your name, so we can call you.',
    'error.restaurant_closed': 'The restaurant is closed right now, so it cannot take orders.',
    'error.unknown_saved_group': 'That saved group of choices no longer exists. Reload the page.',
    'error.saved_group_in_use': 'Dishes still have this group of choices: take it off them first.',
    'error.saved_group_exists': 'A group of choices with this name is saved already.',
    'error.saved_group_on_too_many_dishes': 'This group of choices is on too many dishes to change at once.',
    'error.delivery_taken': 'Another driver has taken this delivery.',
    'error.delivery_out': 'This delivery is on its way already.',
    'error.feature_held': 'This is not available here yet.',
    'error.ordering_off': 'This restaurant shows its menu here, but does not take orders online.',
    'error.ordering_ahead_off': 'The restaurant takes orders for as soon as possible only, not for later.',
    'error.booking_off': 'This restaurant does not take table bookings online. Please call them.',
    'error.ordering_paused': 'The kitchen is not taking new orders just now. Please try again in a little while.',
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
    'checkout.phone_invalid': 'Write the phone number in digits, like +44 20 7946 0000.',
    'error.field': 'Please check this field.',
    'error.generic': 'Something went wrong. Please try again.',
    'page.sorry': 'Sorry',
    'page.not_found': 'There is nothing at this address. Check the link, or scan the restaurant\'s QR code again.',
    'error.slot_full': 'That time has just filled up. Please choose another.',
    'error.slot_unavailable': 'That time can no longer be chosen. Please choose another.',
    'error.later_at_table': 'An order at a table is made right away.',
    'when.label': 'When?',
    'when.loading': 'Finding times…',
    'when.soon': 'As soon as possible (about {minutes} min)',
    'when.ready_in': 'Ready in about {minutes} min',
    'when.ready_at': 'Ready at {time}',
    'when.full': '{time} (full)',
    'when.none': 'No times are left to order for. Please try again later.',
    'when.expected': 'Expected around {time}',
    'when.pickup_at': 'Pickup at {time}',
    'when.delivery_at': 'Delivery at about {time}',
    'order.title': 'Order #{number}',
    'order.connecting': 'Connecting…',
    'order.live': 'Live updates on',
    'order.polling': 'Live updates are not available here; this page checks for changes every 15 seconds.',
    'order.reconnecting': 'Reconnecting…',
    'order.placed_at': 'Placed {time}',
    'order.cancel': 'Cancel order',
    'order.rejected_because': 'The restaurant could not take your order: {reason}',
    'order.print': 'Print receipt',
    'receipt.title': 'Receipt',
    'receipt.number': 'Order #{number}',
    'order.delivery_fee': 'Delivery',
    'receipt.subtotal': 'Subtotal',
    'receipt.tax_included': 'Included tax {rate}',
    'receipt.tax_added': 'Tax {rate}',
    'order.at_table': 'At table {table}',
    'order.pickup': 'Pickup',
    'order.delivery_to': 'Delivery to {address}',
    'checkout.pay_how': 'How would you like to pay?',
    'checkout.pay_online': 'Online now',
    'checkout.pay_at_restaurant': 'At the restaurant, or to the driver',
    'checkout.pay_at_table': 'At the table',
    'checkout.pay_online_only': 'You pay online when you order.',
    'checkout.to_payment': 'Continue to payment',
    'paid.authorized': 'Paid online: {amount}. It is taken when the restaurant accepts your order.',
    'paid.captured': 'Paid online: {amount}.',
    'paid.released': 'Your payment of {amount} was released: nothing is charged.',
    'paid.refunded': 'Refunded {amount} on {time}: {reason}',
    'receipt.paid_online': 'Paid online',
    'receipt.refunded': 'Refunded: {reason}',
    'paying.title': 'Your payment',
    'paying.waiting': 'Waiting for your payment to be confirmed…',
    'paying.waiting_note': 'Once your payment of {total} is confirmed, your order goes to the kitchen and this page shows it.',
    'paying.pay_now': 'Not paid yet? Go to the payment page',
    'paying.expired': 'Your payment was not completed in time, so your order was not placed. Nothing was charged.',
    'paying.not_served': 'The restaurant could not take your order: {reason}. Your payment was released, so nothing is charged.',
    'paying.reason.sold_out': 'a dish sold out while you paid',
    'paying.reason.paused': 'the kitchen paused new orders',
    'paying.reason.no_longer_taken': 'it no longer takes this order',
    'paying.back_to_menu': 'Back to the menu',
    'paying.left': 'Your order is not placed until it is paid.',
    'paying.continue': 'Continue paying',
    'state.placed': 'Placed', 'state.accepted': 'Accepted', 'state.rejected': 'Rejected', 'state.cancelled': 'Cancelled',
    'state.preparing': 'Preparing', 'state.ready': 'Ready', 'state.out_for_delivery': 'Out for delivery', 'state.completed': 'Completed',
    'diet.vegetarian': 'Vegetarian', 'diet.vegan': 'Vegan', 'diet.gluten_free': 'Gluten-free', 'diet.halal': 'Halal', 'diet.kosher': 'Kosher',
    'diet.dairy_free': 'Dairy-free', 'diet.spicy': 'Spicy',
    'allergen.gluten': 'gluten', 'allergen.crustaceans': 'crustaceans', 'allergen.eggs': 'eggs', 'allergen.fish': 'fish',
    'allergen.peanuts': 'peanuts', 'allergen.soybeans': 'soy', 'allergen.milk': 'milk', 'allergen.nuts': 'nuts',
    'allergen.celery': 'celery', 'allergen.mustard': 'mustard', 'allergen.sesame': 'sesame', 'allergen.sulphites': 'sulphites',
    'allergen.lupin': 'lupin', 'allergen.molluscs': 'molluscs',
    'language': 'Language',
    'booking.title': 'Book a table at {name}',
    'booking.to_menu': 'See the menu',
    'booking.find': 'Find a table',
    'booking.date': 'Date',
    'booking.party': 'Guests',
    'booking.party_range': 'We take bookings for {min} to {max} guests. For more, please call us.',
    'booking.show_times': 'Show times',
    'booking.none': 'No free table that day; try another.',
    'booking.your_details': 'Your details',
    'booking.summary': '{party} guests, {time}',
    'booking.name': 'Name',
    'booking.phone': 'Phone',
    'booking.email': 'E-mail (optional, for the restaurant to reach you)',
    'booking.note': 'Note for the restaurant (optional)',
    'booking.calendar_summary': 'Table for {party} at {name}',
    'booking.book': 'Book',
    'booking.booked': 'Your table is booked',
    'booking.cancelled_title': 'Booking cancelled',
    'booking.keep_link': 'Keep this page’s address to view or cancel your booking.',
    'booking.calendar': 'Add to my calendar',
    'booking.cancel': 'Cancel booking',
    'booking.status.confirmed': 'confirmed',
    'booking.status.cancelled': 'cancelled',
    'booking.status.seated': 'seated',
    'booking.status.no_show': 'not attended',
    'error.invalid_party_size': 'The restaurant does not take bookings for that many guests.',
    'error.not_a_slot': 'That time cannot be booked. Please choose one of the times shown.',
    'error.too_soon': 'That time is too soon to book now. Please choose a later one.',
    'error.too_far_ahead': 'That day is too far ahead to book yet.',
    'error.too_many_bookings': 'You have made as many bookings as one guest may make for now.',
    'error.illegal_transition': 'This booking cannot be changed any more.',
    'error.unauthenticated': 'Please log in again.',
    'error.forbidden': 'This account may not do that.',
    'error.method_not_allowed': 'This page cannot do that. Reload it and try again.',
    'error.payload_too_large': 'That is more than can be sent at once. Make it shorter.',
    'error.unsupported_media_type': 'This page sent something the restaurant cannot read. Reload it and try again.',
    'error.malformed_json': 'This page sent something the restaurant cannot read. Reload it and try again.',
    'error.unreadable_body': 'This page sent something the restaurant cannot read. Reload it and try again.',
    'error.invalid_body': 'Please check this field.',
    'error.invalid_query': 'This address is not quite right. Go back and try again.',
    'error.invalid_filter': 'That filter is not one we know. Clear the filters and try again.',
    'error.invalid_cursor': 'The list changed. Reload the page to see it from the start.',
    'error.invalid_limit': 'The list changed. Reload the page to see it from the start.',
    'error.invalid_range': 'Choose a first day and a later last day, at most 31 days apart.',
    'error.idempotency_key_required': 'This page is out of date. Reload it and try again.',
    'error.invalid_idempotency_key': 'This page is out of date. Reload it and try again.',
    'error.idempotency_key_reused': 'This was already sent with other details. Reload the page and try again.',
    'error.not_through_site': 'Please open the restaurant’s own page to do this.',
    'error.websocket_required': 'Live updates could not start. Reload the page.',
    'error.unavailable': 'The restaurant is very busy right now. Please try again in a moment.',
    'error.internal': 'Something went wrong on our side. Please try again.',
    'error.already_exists': 'That already exists. Reload the page to see it.',
    'error.stale_version': 'Someone changed this meanwhile. Reload the page to see their change, then make yours again.',
    'error.busy_cart': 'Your order is being changed in another window. Try again.',
    'error.busy_order': 'This order is being changed by someone else. Try again.',
    'error.busy_reservation': 'This booking is being changed by someone else. Try again.',
    'error.staff_changed': 'Someone else is changing the staff list. Try again.',
    'error.sign_up_closed': 'New restaurants cannot sign up here right now. Ask whoever runs this service.',
    'error.sign_up_code_invalid': 'That sign-up code is not right. Check it with whoever gave it to you.',
    'error.invalid_sign_up_code': 'That sign-up code is too long to be right. Check it with whoever gave it to you.',
    'error.slug_taken': 'Another restaurant already has this address. Choose another.',
    'error.slug_mismatch': 'A restaurant’s address cannot change.',
    'error.currency_locked': 'The currency cannot change once there are orders or delivery terms in it.',
    'error.weak_password': 'A password needs 12 to 128 characters.',
    'error.wrong_password': 'The current password is not right.',
    'error.email_taken': 'Someone here already has this e-mail address.',
    'error.invalid_role': 'Hire a manager, cook or driver; make someone the owner by handing ownership over.',
    'error.last_owner': 'A restaurant needs an owner. Hand ownership to someone else first.',
    'error.invalid_handover': 'Choose someone else to hand ownership to.',
    'error.account_disabled': 'That account is switched off. Switch it on first.',
    'error.menu_full': 'The menu holds as many dishes as it can. Remove one before adding another.',
    'error.item_exists': 'A dish with this name already exists. Choose another name.',
    'error.invalid_item': 'Please check the dish’s details.',
    'error.unknown_category': 'That category no longer exists. Reload the page.',
    'error.category_not_empty': 'Move or delete the category’s dishes first.',
    'error.wrong_currency': 'Prices here are in the restaurant’s own currency.',
    'error.no_media_store': 'This service takes no pictures.',
    'error.unsupported_image_type': 'A picture must be a JPEG, PNG or WebP file.',
    'error.image_too_large': 'A picture can be at most 5 MB.',
    'error.image_not_uploaded': 'The picture did not arrive. Choose it again.',
    'error.invalid_image': 'That file is not the picture it says it is. Choose another.',
    'error.foreign_image': 'That picture belongs to another restaurant.',
    'error.upload_mismatch': 'The picture changed while it was sent. Choose it again.',
    'error.too_many_uploads': 'That is as many pictures as one day takes. Try again tomorrow.',
    'error.unknown_option': 'One of the choices is no longer offered. Choose again.',
    'error.duplicate_option': 'A choice was picked twice. Choose again.',
    'error.invalid_amount': 'That amount is too large.',
    'error.amount_too_large': 'That order is larger than one order can be. Split it in two.',
    'error.online_payment_unavailable': 'Paying online is not possible here just now. Please choose to pay at the restaurant.',
    'error.online_payment_required': 'This restaurant asks for payment online when you order.',
    'error.payments_not_available': 'Paying online is not set up here.',
    'error.payment_provider_failed': 'The payment service did not answer. Nothing was charged; please try again in a moment.',
    'error.invalid_signature': 'This message did not come from the payment service.',
    'error.invalid_assignment': 'Only a delivery still on its way can go to a driver.',
    'error.unknown_driver': 'That driver does not work here any more. Choose another.',
    'error.reason_not_expected': 'A reason is given only when turning an order down.',
    'error.not_finished': 'This is not finished yet, so it cannot be erased.',
    'error.not_refundable': 'Only an order paid online and accepted by the kitchen can be refunded.',
    'error.invalid_refund_amount': 'A refund is more than nothing and at most what is left to refund.',
    'error.refund_reason_required': 'Say why the order is refunded: the guest sees it.',
    'error.invalid_settings': 'Please check the booking settings.',
    'error.not_started_yet': 'That booking has not started yet.',
    'error.too_many_connections': 'This is already open on as many screens as it may be. Close it on another, or reload in a while.',
    'nav.menu': 'Menu',
    'nav.book': 'Book a table',
    'nav.staff': 'Staff',
  },
};

export const LANGUAGES = { en: 'English', de: 'Deutsch' };
const OTHER_WORDS = { de: () => import('./words-de.js') };
const CHOSEN = 'bistro.language';

let restaurantDefault = null;

/** The guest's language: the one they picked, else the first of the browser's we speak, else the
 *  restaurant's own, else English. */
export function lang() {
  const picked = localStorage.getItem(CHOSEN);
  if (picked && LANGUAGES[picked]) return picked;
  const spoken = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2).toLowerCase());
  return spoken.find((l) => LANGUAGES[l]) ?? (LANGUAGES[restaurantDefault] ? restaurantDefault : 'en');
}

/** Fetches the words of the guest's language if they are not here yet; the page waits for them. */
export async function loadWords() {
  const code = lang();
  if (!WORDS[code] && OTHER_WORDS[code]) WORDS[code] = (await OTHER_WORDS[code]()).default;
  document.documentElement.lang = code;
}

/** The restaurant's language, for guests whose browser asks for none we speak. */
export function useRestaurantLanguage(code) {
  restaurantDefault = code ?? null;
  return loadWords();
}

const STAFF_WORDS = { en: () => import('./words-staff.js'), de: () => import('./words-staff-de.js') };
const staffLoaded = new Set();

/** The staff's pages' words as well, in the language chosen and in English beneath it: only a
 *  staff page fetches them. */
export async function loadStaffWords() {
  await loadWords();
  for (const code of new Set(['en', lang()])) {
    if (staffLoaded.has(code) || !STAFF_WORDS[code] || !WORDS[code]) continue;
    Object.assign(WORDS[code], (await STAFF_WORDS[code]()).default);
    staffLoaded.add(code);
  }
}

export function setLang(code) {
  localStorage.setItem(CHOSEN, code);
  return loadWords();
}

/** The text for `key` in the guest's language, with `{name}` parts filled in. */
export function t(key, vars = {}) {
  const text = WORDS[lang()]?.[key] ?? WORDS.en[key] ?? key;
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
