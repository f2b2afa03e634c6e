export { findPackageRoot } from '../package-root.js';
