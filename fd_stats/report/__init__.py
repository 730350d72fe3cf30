"""What leaves the engine: the wording of results, disclosure control, user text made safe."""
