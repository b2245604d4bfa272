/** The engine's configuration (AppConfig.engine with the shutdown time). */
export const ENGINE_CONFIG = 'EngineConfig';
