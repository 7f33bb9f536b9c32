// Distances between phone and market. Pure functions, no DOM.

const EARTH_RADIUS_M = 6371008.8;
const rad = (deg) => (deg * Math.PI) / 180;

/** True for a usable {lat, lon} pair. */
export function hasCoords(point) {
  return (
    !!point &&
    typeof point.lat === 'number' &&
    typeof point.lon === 'number' &&
    Number.isFinite(point.lat) &&
    Number.isFinite(point.lon) &&
    Math.abs(point.lat) <= 90 &&
    Math.abs(point.lon) <= 180
  );
}

/** Great-circle distance in metres (haversine), or null when either point lacks coordinates. */
export function distanceMeters(a, b) {
  if (!hasCoords(a) || !hasCoords(b)) return null;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Farther than this from the market's recorded point: warn the inspector. */
export const FAR_FROM_MARKET_M = 500;
/** A fix less precise than this is "poor" (indoors, under a market roof). */
export const POOR_ACCURACY_M = 100;

/**
 * What to say about a GPS fix taken for a visit.
 * @returns {{distance_m: number|null, far: boolean, poor: boolean}}
 */
export function assessFix(location, market) {
  const distance_m = distanceMeters(location, market);
  return {
    distance_m,
    far: distance_m !== null && distance_m > FAR_FROM_MARKET_M,
    poor: !!location && typeof location.accuracy_m === 'number' && location.accuracy_m > POOR_ACCURACY_M,
  };
}
