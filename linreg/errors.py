"""The one error type the engine raises for bad input, with messages in English and Spanish."""

from __future__ import annotations

from linreg.texts import Catalog, Phrase

ERRORS = Catalog(
    "errors",
    {
        "unknown_sample": (
            "Unknown sample {name!r}; choose one of {choices}.",
            "Muestra desconocida {name!r}; elige una de {choices}.",
        ),
        "bad_setting": (
            "Invalid {name}: found {value!r}, expected {expected}.",
            "{name} no válido: se encontró {value!r}, se esperaba {expected}.",
        ),
        "shape_mismatch": (
            "Inputs and targets must have the same number of rows: found {n_inputs} and {n_targets}.",
            "Las entradas y los objetivos deben tener el mismo número de filas: se encontraron {n_inputs} y {n_targets}.",
        ),
        "predict_width": (
            "A row to predict needs {expected} input value(s); found {found}.",
            "Una fila para predecir necesita {expected} valor(es) de entrada; se encontraron {found}.",
        ),
        "predict_not_finite": (
            "The values to predict must be finite numbers; found {values}.",
            "Los valores para predecir deben ser números finitos; se encontró {values}.",
        ),
        # linreg.data: reading files
        "file_not_found": (
            "No file at {path}; check the path.",
            "No hay ningún archivo en {path}; revisa la ruta.",
        ),
        "file_unreadable": (
            "Could not read {path}: {reason}.",
            "No se pudo leer {path}: {reason}.",
        ),
        "file_too_large": (
            "The file is {size} MB; the limit is {limit} MB. Upload a smaller file.",
            "El archivo ocupa {size} MB; el límite es {limit} MB. Sube un archivo más pequeño.",
        ),
        "file_empty": (
            "The file is empty: it holds no text. Upload a CSV file with a header and data rows.",
            "El archivo está vacío: no contiene texto. Sube un CSV con encabezado y filas de datos.",
        ),
        "not_text": (
            "This is not a text file (found binary data in its first bytes); upload a CSV file.",
            "No es un archivo de texto (hay datos binarios en sus primeros bytes); sube un archivo CSV.",
        ),
        "spreadsheet_file": (
            "This is a spreadsheet workbook ({kind}), not a CSV file. In Excel use File > Save As > "
            "CSV, or in Google Sheets File > Download > CSV, and upload that file.",
            "Es un libro de hoja de cálculo ({kind}), no un archivo CSV. En Excel usa Archivo > "
            "Guardar como > CSV, o en Google Sheets Archivo > Descargar > CSV, y sube ese archivo.",
        ),
        "too_few_columns": (
            "Found a single column; a table needs at least 2 columns (inputs and a target). "
            "Tried the separators {tried}; separate the values with one of them.",
            "Se encontró una sola columna; la tabla necesita al menos 2 columnas (entradas y un "
            "objetivo). Se probaron los separadores {tried}; separa los valores con uno de ellos.",
        ),
        "too_many_columns": (
            "The table has {found} columns; the limit is {limit}.",
            "La tabla tiene {found} columnas; el límite es {limit}.",
        ),
        "too_many_rows": (
            "The table has {found} data rows; the limit is {limit}.",
            "La tabla tiene {found} filas de datos; el límite es {limit}.",
        ),
        "empty_column_name": (
            "Column {position} has no name in the header; give every column a name.",
            "La columna {position} no tiene nombre en el encabezado; da un nombre a cada columna.",
        ),
        "duplicate_column": (
            "Column name {name!r} appears more than once in the header (columns {positions}); "
            "give every column a different name.",
            "El nombre de columna {name!r} aparece más de una vez en el encabezado (columnas "
            "{positions}); da a cada columna un nombre distinto.",
        ),
        "no_data_rows": (
            "The table has a header but no data rows; add at least 2 rows of values.",
            "La tabla tiene encabezado pero ninguna fila de datos; añade al menos 2 filas de valores.",
        ),
        "ragged_row": (
            "Line {line} of the file has {found} value(s) but the header has {expected}; every line "
            "needs one value per column (look for an extra or missing {delimiter}).",
            "La línea {line} del archivo tiene {found} valor(es) pero el encabezado tiene {expected}; "
            "cada línea necesita un valor por columna (busca un {delimiter} de más o de menos).",
        ),
        "bad_csv": (
            'Line {line} of the file could not be read as CSV ({detail}); check the quotes (") '
            "on that line.",
            "La línea {line} del archivo no se pudo leer como CSV ({detail}); revisa las comillas "
            '(") de esa línea.',
        ),
        "unreadable_csv": (
            "The file could not be read as CSV ({detail}), although every line has one value per "
            'column and closes its quotes ("); check that it was exported as CSV text.',
            "El archivo no se pudo leer como CSV ({detail}), aunque cada línea tiene un valor por "
            'columna y cierra sus comillas ("); comprueba que se exportó como texto CSV.',
        ),
        "row_labels_repeated": (
            "The first column has no name in the header, so it is read as the rows' labels, but "
            "{value!r} labels more than one row (rows {rows}); labels must differ. Give the column a "
            "name in the header to use it as data, or make its labels unique.",
            "La primera columna no tiene nombre en el encabezado, así que se lee como las etiquetas "
            "de las filas, pero {value!r} etiqueta más de una fila (filas {rows}); las etiquetas "
            "deben ser distintas. Da un nombre a la columna en el encabezado para usarla como "
            "datos, o haz que sus etiquetas sean únicas.",
        ),
        "row_label_missing": (
            "The first column has no name in the header, so it is read as the rows' labels, but row "
            "{row} has no label. Give every row a label, or give the column a name in the header to "
            "use it as data.",
            "La primera columna no tiene nombre en el encabezado, así que se lee como las etiquetas "
            "de las filas, pero la fila {row} no tiene etiqueta. Da una etiqueta a cada fila, o da "
            "un nombre a la columna en el encabezado para usarla como datos.",
        ),
        "not_a_number": (
            "Column {column!r}, row {row}: {value!r} is not a number ({count} such cell(s) in a "
            "column of numbers). Write a number there, or leave the cell empty.",
            "Columna {column!r}, fila {row}: {value!r} no es un número ({count} celda(s) así en una "
            "columna de números). Escribe un número o deja la celda vacía.",
        ),
        # linreg.data: choosing columns
        "unknown_column": (
            "There is no column {name!r}; the columns are: {available}.",
            "No hay ninguna columna {name!r}; las columnas son: {available}.",
        ),
        "repeated_column": (
            "Column {name!r} is chosen more than once; choose each column once.",
            "La columna {name!r} está elegida más de una vez; elige cada columna una sola vez.",
        ),
        "no_inputs": (
            "No input columns are chosen; choose at least one. Numeric columns: {available}.",
            "No hay columnas de entrada elegidas; elige al menos una. Columnas numéricas: {available}.",
        ),
        "no_targets": (
            "No target columns are chosen; choose at least one. Numeric columns: {available}.",
            "No hay columnas objetivo elegidas; elige al menos una. Columnas numéricas: {available}.",
        ),
        "role_overlap": (
            "{names} chosen both as input and as target; a column can play only one role.",
            "{names} elegida(s) a la vez como entrada y como objetivo; una columna solo puede "
            "tener un papel.",
        ),
        "column_not_numeric": (
            "Column {name!r} holds text, not numbers, so it cannot be an input or a target. "
            "Numeric columns: {available}.",
            "La columna {name!r} contiene texto, no números, así que no puede ser entrada ni "
            "objetivo. Columnas numéricas: {available}.",
        ),
        "missing_values": (
            "{count} row(s) have missing values: row(s) {rows} (in {columns}). Fill them in, "
            "or choose to drop those rows.",
            "{count} fila(s) tienen valores que faltan: fila(s) {rows} (en {columns}). "
            "Rellénalos o elige descartar esas filas.",
        ),
        "infinite_value": (
            "Column {column!r}, row {row}: {value} is not a finite number ({count} such cell(s)); "
            "replace it with a finite number.",
            "Columna {column!r}, fila {row}: {value} no es un número finito ({count} celda(s) así); "
            "sustitúyelo por un número finito.",
        ),
        "too_large_value": (
            "Column {column!r}, row {row}: {value} is too large for training in float32 (at most about "
            "3.4e38; {count} such cell(s)); rescale the column.",
            "Columna {column!r}, fila {row}: {value} es demasiado grande para entrenar en float32 (como "
            "mucho unos 3.4e38; {count} celda(s) así); cambia la escala de la columna.",
        ),
        "too_few_rows": (
            "At least 2 data rows are needed to fit a model; found {found}.",
            "Se necesitan al menos 2 filas de datos para ajustar un modelo; hay {found}.",
        ),
        "too_few_rows_after_drop": (
            "At least 2 data rows are needed to fit a model; {found} remain after dropping "
            "{dropped} row(s) with missing values.",
            "Se necesitan al menos 2 filas de datos para ajustar un modelo; quedan {found} tras "
            "descartar {dropped} fila(s) con valores que faltan.",
        ),
        # linreg.cli
        "output_unwritable": (
            "Could not write {path}: {reason}. Choose a file in a folder you can write to.",
            "No se pudo escribir {path}: {reason}. Elige un archivo en una carpeta con permiso "
            "de escritura.",
        ),
        # linreg.dashboard.room: the live room
        "room_not_found": (
            "No room has the code {text!r}. A room code has 8 characters: letters A–Z without I "
            "and O, and digits 2–9.",
            "Ninguna sala tiene el código {text!r}. Un código de sala tiene 8 caracteres: letras "
            "A–Z sin I ni O, y cifras 2–9.",
        ),
        "room_lookups_refused": (
            "Too many wrong room codes from here; try again in {seconds} s.",
            "Demasiados códigos de sala erróneos desde aquí; vuelve a intentarlo en {seconds} s.",
        ),
        "room_ended": (
            "Room {room} has ended: the presenter closed it, or it was idle too long.",
            "La sala {room} ha terminado: quien la presentaba la cerró, o estuvo inactiva demasiado "
            "tiempo.",
        ),
        "room_not_presenter": (
            "Only the presenter who started room {room} can do this.",
            "Solo quien abrió la sala {room} puede hacer esto.",
        ),
        "room_too_large": (
            "The {what} to share is {size} MB; a room's limit is {limit} MB.",
            "{what} que se quiere compartir ocupa {size} MB; el límite de una sala es {limit} MB.",
        ),
        "room_board_full": (
            "The room board already shows {limit} runs; yours is not added.",
            "El tablero de la sala ya muestra {limit} ejecuciones; la tuya no se añade.",
        ),
        "room_poll_full": (
            "This question already has {limit} answers; yours is not counted.",
            "Esta pregunta ya tiene {limit} respuestas; la tuya no se cuenta.",
        ),
        "room_no_fork": (
            "Room {room} has no run to take over yet: wait for the presenter's first epoch.",
            "La sala {room} aún no tiene una ejecución para tomar: espera la primera época de "
            "quien presenta.",
        ),
        "room_no_such_run": (
            "No run {entry!r} on the board of room {room}.",
            "No hay ninguna ejecución {entry!r} en el tablero de la sala {room}.",
        ),
        "room_store_unreachable": (
            "Could not reach the room store at {url}: {reason}. Check LINREG_ROOMS_URL.",
            "No se pudo conectar con el almacén de salas en {url}: {reason}. Revisa LINREG_ROOMS_URL.",
        ),
        "room_challenge_full": (
            "This challenge already has {limit} entries; yours is not added.",
            "Este reto ya tiene {limit} participaciones; la tuya no se añade.",
        ),
        "room_no_challenge": (
            "Room {room} has no challenge open now: the presenter ended it or set a new one.",
            "La sala {room} no tiene ningún reto abierto ahora: quien presenta lo terminó o "
            "puso otro.",
        ),
        "challenge_other_data": (
            "Your run's data are not the challenge's: the presenter set it on other data, or "
            "yours changed. Open the room's link again and click “Make it mine” to play.",
            "Los datos de tu ejecución no son los del reto: quien presenta lo puso con otros "
            "datos, o los tuyos cambiaron. Abre de nuevo el enlace de la sala y pulsa «Hacerla "
            "mía» para jugar.",
        ),
        "challenge_standardized_targets": (
            "A challenge's loss is in the data's own units; with standardized targets your "
            "run's loss is in other units. Untick “Standardize targets” to play.",
            "La pérdida de un reto está en las unidades de los datos; con los objetivos "
            "estandarizados la de tu ejecución está en otras. Desmarca «Estandarizar "
            "los objetivos» para jugar.",
        ),
        "bad_checkpoint": (
            "The run to take over is not a valid checkpoint: {reason}.",
            "La ejecución que se quiere tomar no es un punto de control válido: {reason}.",
        ),
        # linreg.questions: a question about the next epochs
        "question_after_divergence": (
            "The run diverged at epoch {epoch}, so nothing comes next to predict; press Reset "
            "(or lower the learning rate and reset) before asking.",
            "El entrenamiento divergió en la época {epoch}, así que no hay nada que predecir; "
            "pulsa Reiniciar (o baja la tasa de aprendizaje y reinicia) antes de preguntar.",
        ),
        "bad_question": (
            "The question of kind {kind} cannot be asked: {problem}.",
            "La pregunta de tipo {kind} no se puede hacer: {problem}.",
        ),
    },
)


class LinregError(ValueError):
    """Bad input or an impossible setting; the message says what was found and what is needed.

    ``code`` names the message in ``ERRORS`` and ``params`` fill it, so a user interface can
    show it in any supported language with ``err.message(lang)``.
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "es")."""
        return ERRORS(self.code, lang, **self.params)


POSITIVE = Phrase("a finite number > 0", "un número finito > 0")
WHOLE_FROM_0 = Phrase("a whole number ≥ 0", "un número entero ≥ 0")
