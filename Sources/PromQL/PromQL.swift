// Placeholder until the PromQL engine lands (issue #5).
