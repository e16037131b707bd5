"""Configuration, the ground floor: every stage reads its section from here, and this
package imports no stage (import-linter checks it; see pyproject.toml)."""
