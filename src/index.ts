/**
 * botz: the public API. Everything exported here is stable; anything else is internal.
 *
 *   import { Server, Component } from 'botz';
 */
export { Server, DEFAULT_PORT, DEFAULT_HEARTBEAT_INTERVAL_MS } from './lib/registry/server.js';
export type { ServerOptions, ServerEvent, ServerStats } from './lib/registry/server.js';
export { Client, DEFAULT_SERVER, DEFAULT_TIMEOUT_MS, defaultClientName } from './lib/component/client.js';
export type { ClientOptions, CallOptions, BroadcastResult, MembershipNotice, TailEvent } from './lib/component/client.js';
export { Component } from './lib/component/component.js';
export type { ComponentOptions, ComponentStats, Message, ShutdownNotice } from './lib/component/component.js';
export { DEFAULT_MAX_HANDLING, DEFAULT_MAX_HANDLING_PER_PEER } from './lib/handler-limit.js';
export type { HandlerLimits } from './lib/handler-limit.js';
export * from './lib/errors.js';
export { Keyring } from './lib/wire/keyring.js';
export type { Secret } from './lib/channel/node-context.js';
export type { Body, Json, ComponentInfo, ComponentState, MemberEvent, TrafficEvent, Codec } from './lib/wire/frames.js';
export { MemoryNetwork } from './lib/transport/memory.js';
export type { Transport, Link, Listener, ListenOptions, Refusal, ConnectionCounts } from './lib/transport/transport.js';
export { defaultConnectionLimits } from './lib/transport/connection-limits.js';
export type { ConnectionLimits } from './lib/transport/connection-limits.js';
export { MeshNode } from './lib/mesh/mesh-node.js';
export type { MeshNodeOptions } from './lib/mesh/mesh-options.js';
export type { MeshStatus, MeshEvent, SendResult as MeshSendResult } from './lib/mesh/mesh-node.js';
export type { Route as MeshRoute } from './lib/mesh/routing.js';
export { MeshBridge } from './lib/component/mesh-bridge.js';
export type { MeshOptions } from './lib/component/mesh-bridge.js';
export { MeshControlClient } from './lib/mesh/mesh-control-client.js';
export type { ReliableOptions } from './lib/component/reliable-delivery.js';
