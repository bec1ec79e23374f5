"""The test kit: harness, scenes, drivers and helpers shared by the test modules."""
