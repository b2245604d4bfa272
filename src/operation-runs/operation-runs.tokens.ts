/** The engine's configuration (AppConfig.engine). */
export const ENGINE_CONFIG = 'EngineConfig';
/** The HTTP connections of the engine's outbound calls (undici's dispatcher). */
export const GRAPH_DISPATCHER = 'GraphDispatcher';
