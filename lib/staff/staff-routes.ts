/**
 * The staff API's routes: re-identification, the audit log and its reports, grants and blocks. All
 * of them need a verified JWT (the HTTP API's JWT authorizer in AWS, the development issuer
 * locally); the handler then checks MFA, grants and groups itself. Shared by the handler, the local
 * server and the CDK stack, so that no route can exist without the authorizer.
 */
export const STAFF_ROUTES = [
  'GET /me',
  'POST /reidentify',
  'GET /audit/records',
  'GET /audit/verify',
  'POST /audit/who-has-seen',
  'GET /audit/activity',
  'GET /audit/access-review',
  'GET /grants',
  'POST /grants',
  'POST /grants/revoke',
  'POST /grants/reattest',
  'GET /blocks',
  'POST /blocks/unblock',
] as const;
export type StaffRoute = (typeof STAFF_ROUTES)[number];

export const isStaffRoute = (routeKey: string): routeKey is StaffRoute =>
  (STAFF_ROUTES as readonly string[]).includes(routeKey);

/**
 * The console's page and files: public, like any login page, and the only staff API routes without
 * the JWT authorizer. They hold no data; the page calls the routes above with the login.
 */
export const CONSOLE_ROUTES = ['GET /console', 'GET /console/{proxy+}'] as const;

export const isConsoleRoute = (routeKey: string) => (CONSOLE_ROUTES as readonly string[]).includes(routeKey);
