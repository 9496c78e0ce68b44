"""Laws: the register of legal documents the duties cite (``register``), the texts of those
laws in the LawRefBook mirror's layout (``texts``), the checks of cited articles against them
(``articles``) and the law-texts named graph (``graph``)."""
