// Placeholder until scripts/generate-proto.sh writes the protoc-c output.
