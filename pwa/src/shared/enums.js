// The API's enumerations (values only) from shared_schema/enums.json, the one list the server,
// the PWA and the reports share. Labels stay in the i18n tables: the screens word them their own way.
import enums from '../../../shared_schema/enums.json';

const values = (name) => Object.freeze(enums[name].map((entry) => entry.value));

/** inspector, ward_officer, city_officer, admin */
export const ROLES = values('role');
/** '1', '2', '3', 'unclassified' */
export const MARKET_CLASSES = values('market_class');
