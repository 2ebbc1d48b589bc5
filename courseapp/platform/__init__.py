"""Infrastructure shared by the features: nothing here knows about courses."""
