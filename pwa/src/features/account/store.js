// The account screen's calls to the server (online only: enrolling needs the network).
import { apiRequest } from '../../data/index.js';

const data = async (promise) => (await promise).data;

/** GET /me → the user with totp {enabled, required}. */
export const getMe = () => data(apiRequest('GET', '/me'));
/** POST /me/totp → {secret, otpauth_uri} (inactive until confirmed). */
export const startTotp = () => data(apiRequest('POST', '/me/totp'));
/** POST /me/totp/confirm → {recovery_codes}; 422 invalid_otp for a wrong code. */
export const confirmTotp = (code) => data(apiRequest('POST', '/me/totp/confirm', { json: { code } }));
/** DELETE /me/totp with a code or a recovery code. */
export const disableTotp = (code) => apiRequest('DELETE', '/me/totp', { json: { code } });
