// i18n.js's table as it is once every feature's chunk has loaded: the review, city and admin
// strings join it only then (their index.js), so the tests that read them add them here.
import admin from '../src/features/admin/messages.js';
import adminAudit from '../src/features/admin/auditMessages.js';
import adminData from '../src/features/admin/dataMessages.js';
import city from '../src/features/city/messages.js';
import review from '../src/features/review/messages.js';
import { addMessages } from '../src/shared/i18n.js';

for (const extra of [review, admin, adminAudit, adminData, city]) addMessages(extra);
