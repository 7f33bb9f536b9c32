// One GPS fix as a promise. Offline is fine: GPS needs no network.

/** Rounded fix {lat, lon, accuracy_m, at}. Rejects with the GeolocationPositionError (or code 0). */
export function getPosition({ highAccuracy = true, timeout = 20000, maximumAge = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject({ code: 0 });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        resolve({
          lat: Math.round(pos.coords.latitude * 1e6) / 1e6,
          lon: Math.round(pos.coords.longitude * 1e6) / 1e6,
          accuracy_m: Math.max(1, Math.round(pos.coords.accuracy)),
          at: pos.timestamp,
        }),
      reject,
      { enableHighAccuracy: highAccuracy, timeout, maximumAge },
    );
  });
}

/** i18n key for why there is no fix. */
export function positionErrorKey(err) {
  switch (err?.code) {
    case 1:
      return 'geo.denied';
    case 3:
      return 'geo.timeout';
    case 2:
      return 'geo.unavailable';
    default:
      return 'geo.unsupported';
  }
}
