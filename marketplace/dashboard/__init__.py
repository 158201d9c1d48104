"""The home page of a signed-in user (beranda): what waits for them and how sales go, per role."""
