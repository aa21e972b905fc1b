// html.js - the view layer in one import: Preact's h() bound to htm's tagged templates (no build
// step, no JSX), and the hooks. Vendor modules are imported by their plain names; the build
// rewrites these to content-hashed URLs (docs/web.md).
import { h, render, Fragment, createContext } from '/assets/vendor/preact.js';
import {
  useState, useEffect, useLayoutEffect, useRef, useMemo, useCallback, useContext, useId,
} from '/assets/vendor/hooks.js';
import htm from '/assets/vendor/htm.js';

export const html = htm.bind(h);
export {
  h, render, Fragment, createContext,
  useState, useEffect, useLayoutEffect, useRef, useMemo, useCallback, useContext, useId,
};
