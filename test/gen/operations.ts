/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** The `JSONObject` scalar type represents JSON objects as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
  /** A field whose value conforms to the standard URL format as specified in RFC3986: https://www.ietf.org/rfc/rfc3986.txt. */
  URL: { input: string; output: string; }
  /** A field whose value is a generic Universally Unique Identifier: https://en.wikipedia.org/wiki/Universally_unique_identifier. */
  UUID: { input: string; output: string; }
};

/** An application this OAuth client is bound to, with that binding's configuration. */
export type ApplicationBinding = {
  __typename?: 'ApplicationBinding';
  /** The bound application's id. */
  applicationId: Scalars['String']['output'];
  /** This binding's configuration. */
  config: ApplicationBindingConfig;
};

/** Configuration of an application binding. */
export type ApplicationBindingConfig = {
  __typename?: 'ApplicationBindingConfig';
  /** Arbitrary JSON values by key, as the application defines them. */
  jsonConfig: Scalars['JSONObject']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Replaces the client's secret with a new one, answered in `client.clientSecret` (which must be selected). The old secret stops working at once; this is never retried. Null, with a typed error at its path, when this rotation failed; other rotations of the request are answered independently. Requires the scope oauth:clients:manage. */
  regenerateClientSecret: Maybe<RegenerateClientSecretPayload>;
};


export type MutationRegenerateClientSecretArgs = {
  input: RegenerateClientSecretInput;
};

/** An OAuth client registered with Xeonr auth. */
export type OAuthClient = {
  __typename?: 'OAuthClient';
  /** Ids of the OAuth clients allowed to act on this one's behalf; null when the upstream's are malformed. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  allowedDelegators: Maybe<Array<Scalars['UUID']['output']>>;
  /** The applications the client is bound to, each with that binding's configuration. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  applicationBindings: Array<ApplicationBinding>;
  /** The id of the application the client belongs to (such as `app_prod_myapp`); null when none. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  applicationId: Maybe<Scalars['String']['output']>;
  /** Whether the back-channel logout token must name the session (its `sid` claim). Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  backchannelLogoutSessionRequired: Scalars['Boolean']['output'];
  /** Where a logout token is posted, server to server, when a user's session ends (OpenID Connect Back-Channel Logout); null when none. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  backchannelLogoutUri: Maybe<Scalars['URL']['output']>;
  /** The client secret, with which the client authenticates itself to the token endpoint. A credential: fetched from the upstream only when this field is selected. Requires the scope oauth:clients:manage. */
  clientSecret: Maybe<Scalars['String']['output']>;
  /** When the client was registered. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  createdAt: Maybe<Scalars['DateTime']['output']>;
  /** What the client is, in its owner's words; null when none is set. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  description: Maybe<Scalars['String']['output']>;
  /** Whether the front-channel logout request must carry the issuer and the session (`iss`, `sid`). Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  frontchannelLogoutSessionRequired: Scalars['Boolean']['output'];
  /** The page loaded in the user's browser to log them out of the client (OpenID Connect Front-Channel Logout); null when none. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  frontchannelLogoutUri: Maybe<Scalars['URL']['output']>;
  /** The client id (a UUID): the `client_id` of its OAuth requests. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  id: Scalars['ID']['output'];
  /** Whether Xeonr auth marks the client as verified. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  isVerified: Scalars['Boolean']['output'];
  /** The client's logo, shown when people authorize it; null when none is set. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  logoUrl: Maybe<Scalars['URL']['output']>;
  /** The client's name, as people see it when they authorize it. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  name: Scalars['String']['output'];
  /** Where the client may send a user after logout; null when the upstream's are malformed. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  postLogoutRedirectUris: Maybe<Array<Scalars['URL']['output']>>;
  /** Where authorization sends the user back, with a code or a token; null when none is set. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  redirectUri: Maybe<Scalars['URL']['output']>;
  /** Whether the client may use the authorization code grant. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  supportsCodeGrant: Scalars['Boolean']['output'];
  /** Whether the client may use the device authorization grant (RFC 8628), for devices without a browser. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  supportsDeviceCodeGrant: Scalars['Boolean']['output'];
  /** Whether the client may use the implicit grant (tokens returned in the redirect itself). Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  supportsImplicitGrant: Scalars['Boolean']['output'];
  /** Whether the client may exchange a refresh token for new access tokens. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  supportsRefreshToken: Scalars['Boolean']['output'];
  /** When the client was last changed, a secret's replacement included. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  updatedAt: Maybe<Scalars['DateTime']['output']>;
  /** Whether the client uses the storage buckets Xeonr manages, as Xeonr auth records it. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  usesManagedBuckets: Scalars['Boolean']['output'];
  /** The client's home page; null when none is set. Requires one of the scopes oauth:clients:read, oauth:clients:manage. */
  websiteUrl: Maybe<Scalars['URL']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** An OAuth client by id; null when there is no OAuth client with that id. Requires the scope oauth:clients:read. */
  oauthClient: Maybe<OAuthClient>;
};


export type QueryOauthClientArgs = {
  id: Scalars['ID']['input'];
};

export type RegenerateClientSecretInput = {
  /** The id (a UUID) of the client whose secret is replaced. */
  clientId: Scalars['ID']['input'];
};

export type RegenerateClientSecretPayload = {
  __typename?: 'RegenerateClientSecretPayload';
  /** The client, with its new secret in `clientSecret`. */
  client: OAuthClient;
};

export type ExampleClientQueryVariables = Exact<{
  id: string;
}>;


export type ExampleClientQuery = { oauthClient: { id: string, name: string, redirectUri: string | null, isVerified: boolean, createdAt: string | null, applicationBindings: Array<{ applicationId: string, config: { jsonConfig: Record<string, unknown> } }> } | null };

export type RegenerateSecretMutationVariables = Exact<{
  id: string;
}>;


export type RegenerateSecretMutation = { regenerateClientSecret: { client: { id: string, clientSecret: string | null, updatedAt: string | null } } | null };

export type ClientAllFieldsQueryVariables = Exact<{
  id: string;
}>;


export type ClientAllFieldsQuery = { oauthClient: { id: string, clientSecret: string | null, name: string, description: string | null, redirectUri: string | null, websiteUrl: string | null, logoUrl: string | null, supportsRefreshToken: boolean, supportsImplicitGrant: boolean, supportsDeviceCodeGrant: boolean, supportsCodeGrant: boolean, isVerified: boolean, applicationId: string | null, usesManagedBuckets: boolean, allowedDelegators: Array<string> | null, backchannelLogoutUri: string | null, backchannelLogoutSessionRequired: boolean, frontchannelLogoutUri: string | null, frontchannelLogoutSessionRequired: boolean, postLogoutRedirectUris: Array<string> | null, createdAt: string | null, updatedAt: string | null, applicationBindings: Array<{ applicationId: string, config: { jsonConfig: Record<string, unknown> } }> } | null };

export type ClientSecretQueryVariables = Exact<{
  id: string;
}>;


export type ClientSecretQuery = { oauthClient: { clientSecret: string | null, updatedAt: string | null } | null };


export const ExampleClientDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ExampleClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"oauthClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUri"}},{"kind":"Field","name":{"kind":"Name","value":"isVerified"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"applicationBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applicationId"}},{"kind":"Field","name":{"kind":"Name","value":"config"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jsonConfig"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ExampleClientQuery, ExampleClientQueryVariables>;
export const RegenerateSecretDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegenerateSecret"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"regenerateClientSecret"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"clientId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"client"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clientSecret"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]}}]} as unknown as DocumentNode<RegenerateSecretMutation, RegenerateSecretMutationVariables>;
export const ClientAllFieldsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClientAllFields"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"oauthClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clientSecret"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUri"}},{"kind":"Field","name":{"kind":"Name","value":"websiteUrl"}},{"kind":"Field","name":{"kind":"Name","value":"logoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"supportsRefreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"supportsImplicitGrant"}},{"kind":"Field","name":{"kind":"Name","value":"supportsDeviceCodeGrant"}},{"kind":"Field","name":{"kind":"Name","value":"supportsCodeGrant"}},{"kind":"Field","name":{"kind":"Name","value":"isVerified"}},{"kind":"Field","name":{"kind":"Name","value":"applicationId"}},{"kind":"Field","name":{"kind":"Name","value":"usesManagedBuckets"}},{"kind":"Field","name":{"kind":"Name","value":"applicationBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applicationId"}},{"kind":"Field","name":{"kind":"Name","value":"config"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jsonConfig"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"allowedDelegators"}},{"kind":"Field","name":{"kind":"Name","value":"backchannelLogoutUri"}},{"kind":"Field","name":{"kind":"Name","value":"backchannelLogoutSessionRequired"}},{"kind":"Field","name":{"kind":"Name","value":"frontchannelLogoutUri"}},{"kind":"Field","name":{"kind":"Name","value":"frontchannelLogoutSessionRequired"}},{"kind":"Field","name":{"kind":"Name","value":"postLogoutRedirectUris"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<ClientAllFieldsQuery, ClientAllFieldsQueryVariables>;
export const ClientSecretDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClientSecret"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"oauthClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientSecret"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<ClientSecretQuery, ClientSecretQueryVariables>;