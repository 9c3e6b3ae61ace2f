/** Vite imports a theme's stylesheet for its side effect. */
declare module '*.css'
