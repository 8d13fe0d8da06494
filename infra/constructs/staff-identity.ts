import { Duration, Lazy, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolGroup,
  UserPoolIdentityProviderOidc,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { z } from 'zod';
import { groupFor, ROLES } from '../../lib/access/grant.ts';
import { parseJsonSetting } from '../../lib/config/json-setting.ts';
import type { ConsoleConfig } from '../../lib/console/console-site.ts';

/** Cognito accepts http only for localhost; anything else must be https. */
const isRedirectUrl = (url: string) => {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' || (protocol === 'http:' && hostname === 'localhost');
  } catch {
    return false;
  }
};
const redirectUrl = z.string().refine(isRedirectUrl, 'must be an https:// URL, or http://localhost…');

/**
 * How staff log in, as the CDK context value `staffLogin` gives it (JSON); every field is optional.
 * The console served by the staff API itself (`<StaffApiUrl>/console`) is always a callback and
 * logout URL; `callbackUrls` and `logoutUrls` add other places the console runs (a custom domain).
 * `oidcProvider` federates an OpenID Connect identity provider such as Entra ID.
 */
export const staffLoginSchema = z
  .object({
    /** Other URLs where a console receives the authorization code, e.g. `https://staff.example.dk/console`. */
    callbackUrls: z.array(redirectUrl).min(1).optional(),
    /** Other URLs a console may send people to after logging out. */
    logoutUrls: z.array(redirectUrl).min(1).optional(),
    /**
     * What the console sends as `acr_values` to the authorize endpoint, for the identity provider
     * to state the second factor in the ID token's `amr` claim: the staff API refuses every token
     * whose `amr` does not contain `mfa`. @default none sent
     */
    acrValues: z.string().min(1).optional(),
    /** `<prefix>.auth.<region>.amazoncognito.com`: unique in the region, no "aws", "amazon" or "cognito". */
    domainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1-63 characters of a-z, 0-9 and -')
      .refine((p) => !/aws|amazon|cognito/.test(p), 'must not contain aws, amazon or cognito')
      .optional(),
    oidcProvider: z
      .object({
        /** Shown on the login page, and the prefix of federated users' names in the pool. */
        name: z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be 3-32 characters of A-Z, a-z, 0-9 and -'),
        /** e.g. `https://login.microsoftonline.com/<directory id>/v2.0` */
        issuerUrl: z.string().startsWith('https://', 'must be an https:// URL'),
        clientId: z.string().min(1),
        /** The provider's client secret, kept in Secrets Manager (Cognito signs in as a confidential client). */
        clientSecretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager ARN'),
      })
      .strict()
      .optional(),
  })
  .strict();

export type StaffLogin = z.output<typeof staffLoginSchema>;

/** @throws ConfigError naming the source and each wrong setting, e.g. `context staffLogin is not …: callbackUrls.0: …` */
export function parseStaffLogin(json: string | undefined, source: string): StaffLogin {
  if (json === undefined || json.trim() === '') return {};
  return parseJsonSetting(json, source, staffLoginSchema, 'a staff login setting');
}

export interface StaffIdentityProps {
  /** One group per tenant and role is created. */
  tenants: readonly string[];
  /** @default the staff API's console only, the Cognito domain `ticket-proxy-<account>`, no federation */
  login?: StaffLogin;
}

/** What the console asks for, and all the client may be given. */
const SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE];

/**
 * Who the staff are: a Cognito user pool that only administrators add people to, with a TOTP second
 * factor required at every login, a group per tenant and role (`ticket-proxy:<tenant>:<role>`), and
 * the console's public client (authorization code with PKCE) on a managed login domain. The pool is
 * retained and protected from deletion: grants and audit records name its users' `sub`.
 */
export class StaffIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly groups: readonly UserPoolGroup[];
  /** The JWT issuer the staff API's authorizer trusts. */
  readonly issuer: string;
  /** The console's login settings in AWS (`/console/config.json`); its values are tokens. */
  readonly consoleConfig: ConsoleConfig;
  readonly #callbackUrls: string[];
  readonly #logoutUrls: string[];

  constructor(scope: Construct, id: string, props: StaffIdentityProps) {
    super(scope, id);
    const login = parseStaffLogin(JSON.stringify(props.login ?? {}), 'StaffIdentity login');
    const { account, region } = Stack.of(this);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: Mfa.REQUIRED,
      // An authenticator app only: SMS codes can be intercepted, and e-mail is the recovery channel.
      mfaSecondFactor: { otp: true, sms: false, email: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 12,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: compromised-credential checks and adaptive authentication, for a few staff users a month.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.groups = props.tenants.flatMap((tenant) =>
      ROLES.map(
        (role) =>
          new UserPoolGroup(this, `Group-${tenant}-${role}`, {
            userPool: this.userPool,
            groupName: groupFor(tenant, role),
            description: `ticket-proxy: ${role} of tenant ${tenant}; admits only together with a grant in the proxy`,
          }),
      ),
    );

    this.#callbackUrls = [...(login.callbackUrls ?? [])];
    this.#logoutUrls = [...(login.logoutUrls ?? [])];
    const federated = login.oidcProvider && this.#federate(login.oidcProvider);
    this.client = this.userPool.addClient('Console', {
      generateSecret: false,
      // SRP only: the password never travels, and no custom challenge can stand in for the TOTP.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: SCOPES,
        // Read at synthesis: the staff API adds its own console (allowConsoleAt) after this client
        // exists, since its JWT authorizer needs the client's id.
        callbackUrls: Lazy.list({ produce: () => this.#callbackUrls }),
        logoutUrls: Lazy.list({ produce: () => this.#logoutUrls }),
      },
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        ...(federated ? [UserPoolClientIdentityProvider.custom(federated.providerName)] : []),
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // A re-identifier's session is short; a working day at most before logging in again with MFA.
      idTokenValidity: Duration.minutes(15),
      accessTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(8),
    });
    if (federated) this.client.node.addDependency(federated);

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: login.domainPrefix ?? `ticket-proxy-${account}` },
      // The newer managed login walks a new user through TOTP enrollment (QR code) at first login.
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.issuer = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`;
    const pages = this.domain.baseUrl();
    this.consoleConfig = {
      mode: 'aws',
      authorizeUrl: `${pages}/oauth2/authorize`,
      tokenUrl: `${pages}/oauth2/token`,
      logoutUrl: `${pages}/logout`,
      clientId: this.client.userPoolClientId,
      scope: SCOPES.map((scope) => scope.scopeName).join(' '),
      ...(login.acrValues && { acrValues: login.acrValues }),
    };
    this.node.addValidation({
      validate: () =>
        this.#callbackUrls.length > 0 && this.#logoutUrls.length > 0
          ? []
          : [
              'The console client has no callback or logout URL: the staff API adds its console with allowConsoleAt.',
            ],
    });
  }

  /**
   * Lets the console at `url` (its page, e.g. `https://<api>/console`) receive logins and send
   * people back after logging out.
   */
  allowConsoleAt(url: string): void {
    this.#callbackUrls.push(url);
    this.#logoutUrls.push(url);
  }

  /** Entra ID or another OpenID Connect provider; MFA is then the provider's to enforce. */
  #federate(provider: NonNullable<StaffLogin['oidcProvider']>): UserPoolIdentityProviderOidc {
    return new UserPoolIdentityProviderOidc(this, 'Oidc', {
      userPool: this.userPool,
      name: provider.name,
      issuerUrl: provider.issuerUrl,
      clientId: provider.clientId,
      // A dynamic reference: CloudFormation resolves it at deployment, the template never holds it.
      clientSecret: SecretValue.secretsManager(provider.clientSecretArn).unsafeUnwrap(),
      scopes: ['openid', 'email', 'profile'],
      attributeMapping: { email: ProviderAttribute.other('email') },
    });
  }
}
