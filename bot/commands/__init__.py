"""How `/memo` commands are declared, and the registry everything else derives from.

Each capability declares its commands next to their handlers (``bot.memos``,
``bot.sessions``, ``bot.digest.commands``, ...); ``bot.commands.standard`` lists
them, and ``bot.commands.registry`` derives the text grammar, dispatch, help, the
write set and the option specs adapters build their platform's commands from.
"""
