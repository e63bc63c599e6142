"""Use cases grouped by area; the application object wires them (see ``s2c_core.app``)."""
