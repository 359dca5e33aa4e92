// Placeholder until the storage engine lands (issue #3).
