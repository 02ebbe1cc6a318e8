"""Learning records: xAPI 1.0.3 statements about what readers learn here, sent to the organisation's Learning
Record Store (ARCHITECTURE.md, "Learning records"). `record.record` is the one entry point; `sender` delivers."""
