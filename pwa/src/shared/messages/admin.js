// UI strings of the admin screens (Vietnamese first, English second); merged into i18n.js's table.
export default {
  vi: {},
  en: {},
};
