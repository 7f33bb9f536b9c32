// Who must enrol a second factor before anything else: the shell's gate (app/main.js) asks it on
// every route, so it stays out of the account screen's chunk (and its QR encoder).

/** True while this user's role must have a second factor and the user has none yet. */
export function mustEnrol(user) {
  return Boolean(user?.totp?.required && !user.totp.enabled);
}
