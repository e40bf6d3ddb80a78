// One integration-test binary for the engine (modules below), as ripgrep and petgraph do.

mod support;

mod corpus;
mod diff;
mod dominators;
mod external;
mod findings;
mod property;
mod queries;
mod semantics;
mod strings;
