"""HTTP plumbing shared by the API routers and the web pages: dependencies and error rendering."""
