/**
 * botz: the public API. Everything exported here is stable; anything else is internal.
 *
 *   import { Server, Component } from 'botz';
 */
export { Server, DEFAULT_HEARTBEAT_INTERVAL_MS } from './lib/registry/server.js';
export { DEFAULT_PORT, DEFAULT_SERVER } from './lib/registry/defaults.js';
export type { ServerOptions, ServerEvent, ServerStats } from './lib/registry/server.js';
export { Client } from './lib/component/client.js';
export type { Listing } from './lib/wire/list-paging.js';
export type { ReplyInfo } from './lib/component/client.js';
export { DEFAULT_TIMEOUT_MS, defaultClientName } from './lib/node/options.js';
export type { ClientOptions, ComponentOptions, CallOptions, BroadcastResult, MeshOptions } from './lib/node/options.js';
export type { MembershipNotice, TailEvent } from './lib/node/subscriptions.js';
export { Component } from './lib/component/component.js';
export type { ComponentStats } from './lib/component/component.js';
export { reply, Reply } from './lib/node/message.js';
export type { Message } from './lib/node/message.js';
export type { NodeEvent, ShutdownNotice } from './lib/node/events.js';
export * from './lib/errors.js';
export { Keyring } from './lib/wire/keyring.js';
export { loadSecret, defaultConfigDir } from './lib/load-secret.js';
export type { LoadSecretOptions } from './lib/load-secret.js';
export type { Secret } from './lib/channel/node-context.js';
export type { Body, Json, Headers, ComponentInfo, ComponentState, MemberEvent, TrafficEvent, LinkChange, Codec, Path } from './lib/wire/frames.js';
export { MemoryNetwork } from './lib/transport/memory.js';
export type { Transport, Link, Listener, ListenOptions, ConnectionLimits, Refusal, ConnectionCounts } from './lib/transport/transport.js';
export { defaultConnectionLimits } from './lib/transport/connection-limits.js';
export { systemClock, ManualClock } from './lib/clock.js';
export type { Clock, TimerHandle } from './lib/clock.js';
export { MeshNode } from './lib/mesh/mesh-node.js';
export type { MeshNodeOptions } from './lib/mesh/mesh-options.js';
export type { MeshStatus, MeshEvent } from './lib/mesh/mesh-status.js';
export type { SendResult as MeshSendResult } from './lib/mesh/forwarder.js';
export type { Route as MeshRoute } from './lib/mesh/routing.js';
export { MeshBridge } from './lib/node/mesh-bridge.js';
export type { MeshReply } from './lib/node/mesh-bridge.js';
export { MeshControlClient } from './lib/mesh/mesh-control-client.js';
export type { MeshWatchEvent, MeshCallReply } from './lib/mesh/mesh-control-client.js';
export type { ReliableOptions } from './lib/node/reliable-delivery.js';
export { HandlerLimit, DEFAULT_MAX_HANDLING, DEFAULT_MAX_HANDLING_PER_PEER } from './lib/node/handler-limit.js';
export type { HandlerLimits } from './lib/node/handler-limit.js';
export { StreamChannel } from './lib/stream/stream-channel.js';
export type { StreamInfo } from './lib/stream/stream-channel.js';
export type { AcceptHandler, ConnectOptions } from './lib/stream/stream-hub.js';
export type { StreamOptions } from './lib/stream/stream-options.js';
// issue 16: several servers, one network, through a shared store
export { MemoryStore, MemoryDatabase } from './lib/registry/store/memory-store.js';
export { RedisStore } from './lib/registry/store/redis-store.js';
export type { RedisStoreOptions } from './lib/registry/store/redis-store.js';
export { storeFromUrl } from './lib/registry/store/store-url.js';
export type { RegistryStore, StoredComponent, ServerRecord, StoreEvent, ClaimResult } from './lib/registry/store/store.js';
// issue 18: per-component credentials
export { Issuer, issueCredential } from './lib/identity/issuer.js';
export { loadCredential } from './lib/identity/credential.js';
export type { Credential, CredentialFile, Authority, NodeIdentity } from './lib/identity/credential.js';
export { ALL_PERMISSIONS } from './lib/identity/grant.js';
export type { Grant, Permissions } from './lib/identity/grant.js';
