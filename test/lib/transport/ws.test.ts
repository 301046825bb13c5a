import { wsTransport } from '../../../src/lib/transport/ws.js';
import { transportCompliance } from './compliance.js';

transportCompliance('ws', () => ({ server: wsTransport, client: wsTransport, host: '127.0.0.1' }));
