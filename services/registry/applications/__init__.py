"""The recognition procedure (认定程序): applications, their steps, publicity and recognition."""
