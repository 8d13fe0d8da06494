import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type Alarm, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { AccessMetric, METRICS_NAMESPACE } from '../../lib/access/access-metrics.ts';
import type { AccessPolicy } from '../../lib/access/access-policy.ts';
import { CONSOLE_ROUTES, STAFF_ROUTES } from '../../lib/staff/staff-routes.ts';
import type { DeploymentTenants } from '../deployment-tenants.ts';
import type { AccessStore } from './access-store.ts';
import type { AuditStore } from './audit-store.ts';
import { loggedStage } from './logged-stage.ts';
import type { OperatorAlarms } from './operator-alarms.ts';
import type { StaffIdentity } from './staff-identity.ts';
import { TicketProxyFunction } from './ticket-proxy-function.ts';
import type { VaultStore } from './vault-store.ts';

export interface StaffApiProps {
  identity: StaffIdentity;
  vault: VaultStore;
  audit: AuditStore;
  access: AccessStore;
  tenants: DeploymentTenants;
  policy: AccessPolicy;
  alarms: OperatorAlarms;
}

/** The function's Powertools service name, and the `service` dimension of its metrics. */
export const STAFF_SERVICE_NAME = 'staff-api';

/** The access metrics that page an operator at their first datapoint. */
const ALARMING_METRICS = [
  [
    AccessMetric.RATE_EXCEEDED,
    'a staff user re-identified more tokens in one hour than the access policy allows (maxTokensPerHour). Look up who in the audit log (GET /audit/activity) and ask why.',
  ],
  [
    AccessMetric.OUTSIDE_HOURS,
    "a staff user re-identified tokens outside the access policy's working hours. It was not refused; check the purpose in the audit log.",
  ],
  [
    AccessMetric.USER_BLOCKED,
    'a staff user was blocked after repeated refused requests. An administrator of the tenant unblocks them (POST /blocks/unblock) once the cause is known.',
  ],
] as const;

/**
 * The staff API: re-identification, the audit log's reports, grants and blocks, on an HTTP API of
 * its own, apart from the webhooks. Every route needs a JWT from the staff user pool (the handler
 * then checks MFA, grant and group itself), but the console's: its page and files, public like any
 * login page, served by the same function at `<api>/console` (regional, no CDN: nothing global).
 * Its function is the second exception to the master key's refusal to unwrap value keys, and every
 * use it makes of that is audited first.
 */
export class StaffApi extends Construct {
  readonly api: HttpApi;
  readonly function: NodejsFunction;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: StaffApiProps) {
    super(scope, id);
    const fn = new TicketProxyFunction(this, 'Handler', {
      entry: 'functions/staff-api.ts',
      files: props.tenants.files,
      // lib/console/console-site.ts reads them next to the bundle: /var/task/assets/.
      assets: { from: 'lib/console/assets', to: 'assets' },
      failuresGoTo:
        'Invoked synchronously by API Gateway: a failure is answered 5xx to the person, who may retry; the attempt is recorded in the audit log first.',
      environment: {
        VAULT_TABLE_NAME: props.vault.table.tableName,
        KEY_ID: props.vault.masterKey.keyArn,
        ...props.audit.environment,
        ACCESS_TABLE_NAME: props.access.table.tableName,
        ACCESS_POLICY: JSON.stringify(props.policy),
        ...props.tenants.environment,
        POWERTOOLS_SERVICE_NAME: STAFF_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        CONSOLE_CONFIG: Stack.of(this).toJsonString(props.identity.consoleConfig),
      },
    });
    this.function = fn.function;
    props.vault.grantReveal(fn.role);
    // A citizen's tokens are computed from their identifiers to answer who has seen them.
    props.vault.grantTokenKeyRead(this.function);
    props.audit.grantAppend(this.function);
    props.audit.grantRead(this.function);
    props.access.grantAccessControl(this.function);

    // No CORS: the console is served here and calls the API from its own origin (a custom domain
    // mapped onto the API is that origin too); no other web page may call it.
    this.api = new HttpApi(this, 'Api', {
      apiName: 'ticket-proxy-staff',
      description: 'ticket-proxy staff API: re-identification, audit reports, grants',
      createDefaultStage: false,
    });
    loggedStage(this, this.api, { rateLimit: 10, burstLimit: 20 });
    // Cognito sends people back to the console's page itself, after login and after logout.
    props.identity.allowConsoleAt(`${this.api.apiEndpoint}/console`);
    const authorizer = new HttpJwtAuthorizer('StaffJwt', props.identity.issuer, {
      jwtAudience: [props.identity.client.userPoolClientId],
    });
    const integration = new HttpLambdaIntegration('StaffApi', this.function);
    for (const route of STAFF_ROUTES) {
      const [method, path] = route.split(' ') as [keyof typeof HttpMethod, string];
      this.api.addRoutes({ path, methods: [HttpMethod[method]], integration, authorizer });
    }
    for (const route of CONSOLE_ROUTES) {
      const [method, path] = route.split(' ') as [keyof typeof HttpMethod, string];
      const routes = this.api.addRoutes({
        path,
        methods: [HttpMethod[method]],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      });
      for (const consoleRoute of routes) {
        Validations.of(consoleRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            "The staff console's static files (HTML, script, style, icon) and its public login settings (Cognito's URLs and client id), like any login page: no data. Every other route of this API has the JWT authorizer, and it has no $default route.",
        });
      }
    }

    this.alarms = [
      ...ALARMING_METRICS.map(([metricName, what]) =>
        props.alarms.alarmOnAny(
          this,
          `${metricName}Alarm`,
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName,
            dimensionsMap: { service: STAFF_SERVICE_NAME },
            period: Duration.minutes(5),
            statistic: Stats.SUM,
          }),
          what,
        ),
      ),
      // Staff requests are few, and a failed one may be a re-identification someone needed now.
      props.alarms.alarmOnAny(
        this,
        'ErrorsAlarm',
        this.function.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
        'the staff API function failed (a timeout, or the vault, audit or access table unreachable). Its logs name the route.',
      ),
    ];
  }
}
