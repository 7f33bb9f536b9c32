"""People, their roles and scopes, and the device tokens their phones hold."""
