// Injected by main/build.mjs from package.json; the fallback serves tests that import sources directly.
declare const __BONDSMITH_VERSION__: string | undefined;
export const APP_VERSION: string = typeof __BONDSMITH_VERSION__ === 'string' ? __BONDSMITH_VERSION__ : '0.0.0-dev';
