"""Administrative units (city > district > ward): the hierarchy is data, with validity dates."""
