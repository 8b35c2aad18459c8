"""The folder batch: its plan, its table view and the controller that runs it."""
