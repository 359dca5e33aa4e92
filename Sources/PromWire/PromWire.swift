// Placeholder until the wire codecs land (issue #2).
