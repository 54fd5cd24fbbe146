// The translation unit that builds the precompiled header (src/precompiled.h) every layer reuses.
