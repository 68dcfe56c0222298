"""The cells a notebook's knob panel needs: its own cell and, going back, every earlier cell that
defines a name those cells use (read with the standard library's ``symtable``, so a function's
parameters and locals are not mistaken for the notebook's names). nbval runs every cell; the browser
test runs these, so that it checks the panel in JupyterLab without training the whole lesson again.
"""

import symtable

import nbformat


def defined_and_used(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds at the top level, and the notebook names it (or a function in it) reads."""
    top = symtable.symtable(source, "<cell>", "exec")
    defined = {symbol.get_name() for symbol in top.get_symbols() if symbol.is_assigned() or symbol.is_imported()}
    used = {symbol.get_name() for symbol in top.get_symbols() if symbol.is_referenced()}
    scopes = list(top.get_children())
    while scopes:
        scope = scopes.pop()
        used |= {symbol.get_name() for symbol in scope.get_symbols()
                 if symbol.is_referenced() and symbol.is_global()}
        scopes.extend(scope.get_children())
    return defined, used


def cells_needed(sources: list[str], target: int) -> list[int]:
    """Indices of the cells that cell ``target`` needs, itself included, in order. A cell that is not
    plain Python (an IPython magic) is kept: what it does cannot be read."""
    needed, keep = defined_and_used(sources[target])[1], {target}
    for index in range(target - 1, -1, -1):
        try:
            defined, used = defined_and_used(sources[index])
        except SyntaxError:
            keep.add(index)
            continue
        if defined & needed:
            keep.add(index)
            needed = (needed - defined) | used
    return sorted(keep)


def panel_notebook(path) -> nbformat.NotebookNode:
    """The notebook with only the code cells its first knob panel needs; markdown cells stay."""
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    target = next(index for index, cell in enumerate(code) if "KnobPanel(" in cell.source)
    kept = {id(code[index]) for index in cells_needed([cell.source for cell in code], target)}
    notebook.cells = [cell for cell in notebook.cells if cell.cell_type != "code" or id(cell) in kept]
    return notebook
