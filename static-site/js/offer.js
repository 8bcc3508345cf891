// What a guest may do at a restaurant, as its published menu says (`offered`: the restaurant's
// switches with what the deployment holds back taken out, decided by the API's one rule).

/** The ways a guest here may order: at their table (from its QR code), or pickup and delivery. */
export function waysToOrder(restaurant, table) {
  const offered = restaurant.offered ?? {};
  if (!offered.ordering) return [];
  if (table) return offered.dine_in ? ['dine_in'] : [];
  return ['pickup', 'delivery'].filter((way) => offered[way]);
}

/** Whether the guest may book a table online. */
export function takesBookings(restaurant) {
  return Boolean(restaurant.offered?.booking);
}
