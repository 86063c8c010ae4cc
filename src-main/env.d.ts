/// <reference types="electron-vite/node" />
// Types for electron-vite's main-process import suffixes (`?asset`, `?modulePath`, ...).
