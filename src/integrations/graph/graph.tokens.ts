import { Dispatcher } from 'undici';
import { typedToken } from '../../common/typed-token';
import { EngineConfig } from '../../config/app-config';

/** The engine's configuration (AppConfig.engine). */
export const ENGINE_CONFIG = typedToken<EngineConfig>('EngineConfig');
/** The HTTP connections of the engine's outbound calls (undici's dispatcher). */
export const GRAPH_DISPATCHER = typedToken<Dispatcher>('GraphDispatcher');
