/**
 * Node flags of a process that serves the registry: `bin/berth.mjs`'s shebang says them too (a test
 * keeps the two equal), the desktop passes them to its registry process, and the bench runs Berth
 * with them. A 4 MB semi-space (Node's default is 16 MB) keeps V8's young generation small under
 * many concurrent requests: the bench's peak RSS went from 159-172 MB to 148 MB, with manifest GETs
 * still over ten times registry:2's.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
