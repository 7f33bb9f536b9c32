// The API's enumerations (values only) from shared_schema/enums.json, the one list the server,
// the PWA and the reports share. Labels stay in the i18n tables: the screens word them their own way.
import enums from '../../../shared_schema/enums.json';

const values = (name) => Object.freeze(enums[name].map((entry) => entry.value));

/** inspector, ward_officer, city_officer, admin */
export const ROLES = values('role');
/** '1', '2', '3', 'unclassified' */
export const MARKET_CLASSES = values('market_class');

/** The one wording of a value (shared_schema/enums.json labels; the server's downloads use them too). */
export function enumLabel(name, value, lang = 'vi') {
  const entry = enums[name]?.find((e) => e.value === value);
  return entry ? entry.label[lang] ?? entry.label.vi : String(value ?? '');
}

/** {prefix + value: label} of an enumeration, to spread into a messages table. */
export function enumMessages(name, prefix, lang) {
  return Object.fromEntries(enums[name].map((e) => [`${prefix}${e.value}`, e.label[lang] ?? e.label.vi]));
}
