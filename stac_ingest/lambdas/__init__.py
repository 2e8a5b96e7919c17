"""AWS Lambda entry points: each parses its event and calls the SDK."""
