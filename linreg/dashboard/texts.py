"""Every word the page shows, in English and Spanish: ``t(key, lang, **params)``."""

from __future__ import annotations

from linreg.texts import LANGUAGES, Catalog

__all__ = ["LANGUAGES", "TEXT", "t"]

TEXT = Catalog(
    "page",
    {
        "app.title": (
            "linreg — linear regression, one epoch at a time",
            "linreg — regresión lineal, una época a la vez",
        ),
        "app.subtitle": (
            "Predict targets from inputs with weights W and biases b: predictions = x @ W.T + b. "
            "Each Step runs one epoch of PyTorch training: predict, measure the loss, backward, update, zero the gradients.",
            "Predice objetivos a partir de entradas con pesos W y sesgos b: predicciones = x @ W.T + b. "
            "Cada Paso ejecuta una época de entrenamiento con PyTorch: predecir, medir la pérdida, backward, "
            "actualizar, reiniciar los gradientes.",
        ),
        # sidebar
        "side.data": ("Data", "Datos"),
        "side.source": ("Data source", "Origen de los datos"),
        "source.sample5": ("Sample: 5 regions", "Muestra: 5 regiones"),
        "source.sample15": ("Sample: 15 regions", "Muestra: 15 regiones"),
        "source.upload": ("Upload CSV", "Subir CSV"),
        "side.upload": (
            "CSV file (comma, semicolon, tab or pipe separated)",
            "Archivo CSV (separado por comas, punto y coma, tabulador o barra)",
        ),
        "side.upload_help": (
            "Exports from Excel or Google Sheets work, decimal commas and accented headers too. "
            "Up to {mb} MB.",
            "Sirven las exportaciones de Excel o Google Sheets, también con comas decimales y "
            "encabezados con tildes. Hasta {mb} MB.",
        ),
        "side.using_file": (
            "Training on {name}, the last file that could be used.",
            "Entrenando con {name}, el último archivo que se pudo usar.",
        ),
        "side.upload_waiting": (
            "No file yet: the sample stays until you upload one.",
            "Aún no hay archivo: la muestra se queda hasta que subas uno.",
        ),
        "side.inputs": ("Inputs", "Entradas"),
        "side.targets": ("Targets", "Objetivos"),
        "side.drop_missing": (
            "Drop rows with missing values",
            "Descartar filas con valores faltantes",
        ),
        "side.dropped": (
            "{count} row(s) with missing values dropped.",
            "Se descartaron {count} fila(s) con valores faltantes.",
        ),
        "side.training": ("Training", "Entrenamiento"),
        "side.engine": ("Engine", "Motor"),
        "engine.scratch": (
            "From scratch (the seed's manual update)",
            "Desde cero (la actualización manual)",
        ),
        "engine.nn": ("torch.nn + torch.optim", "torch.nn + torch.optim"),
        "side.optimizer": ("Optimizer", "Optimizador"),
        "opt.sgd": ("SGD", "SGD"),
        "opt.momentum": ("SGD with momentum ({momentum})", "SGD con momento ({momentum})"),
        "opt.adam": ("Adam", "Adam"),
        "side.learning_rate": ("Learning rate", "Tasa de aprendizaje"),
        "side.learning_rate_help": (
            "Changing it keeps training going from where it is.",
            "Cambiarla continúa el entrenamiento desde donde está.",
        ),
        "side.learning_rate_exact": (
            "… or type an exact learning rate",
            "… o escribe una tasa exacta",
        ),
        "side.stable_rate": (
            "Plain gradient descent on this data is stable below {rate}.",
            "El descenso de gradiente simple en estos datos es estable por debajo de {rate}.",
        ),
        "side.stable_rate_help": (
            "2 divided by the largest eigenvalue of the loss's Hessian (full batch, with this run's "
            "scaling): a larger rate overshoots further at every step and the loss explodes; a "
            "much smaller one crawls. Momentum, Adam and mini-batches move the limit.",
            "2 dividido por el mayor valor propio de la hessiana de la pérdida (lote completo, con "
            "la escala de esta ejecución): una tasa mayor se pasa cada vez más en cada paso y la "
            "pérdida explota; una mucho menor avanza muy despacio. El momento, Adam y los "
            "minilotes mueven el límite.",
        ),
        "side.batch": ("Batch size (0 = full batch)", "Tamaño de lote (0 = lote completo)"),
        "side.batch_help": (
            "Mini-batches are reshuffled every epoch with the run's own seeded generator.",
            "Los minilotes se barajan en cada época con el generador propio de la ejecución.",
        ),
        "side.standardize": ("Standardize inputs", "Estandarizar las entradas"),
        "side.standardize_help": (
            "Train on z-scored inputs; weights are still shown in the data's original units.",
            "Entrena con entradas tipificadas; los pesos se muestran en las unidades originales.",
        ),
        "side.standardize_targets": ("Standardize targets", "Estandarizar los objetivos"),
        "side.standardize_targets_help": (
            "Train on z-scored targets too, for targets in the thousands or millions: the loss "
            "and its optimum are then in standardized units; weights and predictions are still "
            "in the data's original units.",
            "Entrena también con objetivos tipificados, para objetivos de miles o millones: la "
            "pérdida y su óptimo quedan en unidades estandarizadas; pesos y predicciones siguen "
            "en las unidades originales de los datos.",
        ),
        "side.init": ("Weight initialisation", "Inicialización de los pesos"),
        "init.uniform": (
            "Uniform [0, 1) — torch.rand, like the seed",
            "Uniforme [0, 1) — torch.rand, como el cuaderno",
        ),
        "init.normal": ("Normal — torch.randn", "Normal — torch.randn"),
        "init.zeros": ("Zeros", "Ceros"),
        "side.seed": ("Random seed", "Semilla aleatoria"),
        # settings named in notices
        "setting.engine": ("engine", "motor"),
        "setting.opt": ("optimizer", "optimizador"),
        "setting.batch": ("batch size", "tamaño de lote"),
        "setting.std": ("standardization", "estandarización"),
        "setting.stdy": ("target standardization", "estandarización de los objetivos"),
        "setting.init": ("initialisation", "inicialización"),
        "setting.seed": ("seed", "semilla"),
        # notices
        "notice.restart_data": (
            "Training restarted: the data changed.",
            "El entrenamiento se reinició: cambiaron los datos.",
        ),
        "notice.restart_columns": (
            "Training restarted: the chosen columns changed.",
            "El entrenamiento se reinició: cambiaron las columnas elegidas.",
        ),
        "notice.restart_setting": (
            "Training restarted: the {setting} changed.",
            "El entrenamiento se reinició: cambió el ajuste «{setting}».",
        ),
        "notice.reset": (
            "Training reset to the initial weights.",
            "Entrenamiento reiniciado a los pesos iniciales.",
        ),
        "notice.ignored_params": (
            "Ignored link settings that are unknown or invalid: {params}.",
            "Se ignoraron ajustes del enlace desconocidos o no válidos: {params}.",
        ),
        # main area
        "main.data": (
            "Data table — {rows} rows × {columns} columns (editable)",
            "Tabla de datos — {rows} filas × {columns} columnas (editable)",
        ),
        "main.preview": (
            "Showing the first {shown:,} of {rows:,} rows.",
            "Se muestran las primeras {shown:,} de {rows:,} filas.",
        ),
        "btn.step": ("Step", "Paso"),
        "btn.run": ("Run", "Ejecutar"),
        "btn.epochs": ("Epochs per Run", "Épocas por ejecución"),
        "btn.play": ("Play", "Reproducir"),
        "btn.pause": ("Pause", "Pausa"),
        "btn.reset": ("Reset", "Reiniciar"),
        "btn.speed": ("Play speed (epochs per frame)", "Velocidad (épocas por fotograma)"),
        "metric.epoch": ("Epoch", "Época"),
        "metric.loss": ("Loss", "Pérdida"),
        "metric.optimum": ("Least-squares optimum", "Óptimo de mínimos cuadrados"),
        "metric.optimum_help": (
            "The lowest loss any weights can reach, computed in closed form (float64).",
            "La menor pérdida que pueden alcanzar unos pesos, calculada en forma cerrada (float64).",
        ),
        "metric.r2": ("R²", "R²"),
        "metric.r2_mean": ("R² (mean)", "R² (media)"),
        "metric.r2_help": (
            "Coefficient of determination per target (1 = perfect): {each}.",
            "Coeficiente de determinación por objetivo (1 = perfecto): {each}.",
        ),
        "diverged.not_finite": (
            "Training diverged at epoch {epoch}: the loss or the weights became infinite or NaN with learning rate {lr}. "
            "The last finite weights are shown. Try a smaller learning rate, or standardize the inputs.",
            "El entrenamiento divergió en la época {epoch}: la pérdida o los pesos se volvieron infinitos o NaN con "
            "tasa de aprendizaje {lr}. Se muestran los últimos pesos finitos. Prueba una tasa más pequeña o "
            "estandariza las entradas.",
        ),
        "diverged.exploded": (
            "Training diverged at epoch {epoch}: the loss exploded with learning rate {lr}. "
            "The last weights before that are shown. Try a smaller learning rate, or standardize the inputs.",
            "El entrenamiento divergió en la época {epoch}: la pérdida se disparó con tasa de aprendizaje {lr}. "
            "Se muestran los últimos pesos anteriores. Prueba una tasa más pequeña o estandariza las entradas.",
        ),
        "live.announce": ("Epoch {epoch}, loss {loss}", "Época {epoch}, pérdida {loss}"),
        "live.announce_change": (
            "Epoch {epoch}, loss {loss}, change {change}",
            "Época {epoch}, pérdida {loss}, cambio {change}",
        ),
        "live.skip_controls": ("Skip to the controls", "Saltar a los controles"),
        "live.skip_views": ("Skip to the live views", "Saltar a las vistas en vivo"),
        "side.present": ("Present (projector)", "Presentar (proyector)"),
        "side.present_help": (
            "For a projector: hides the sidebar and the data table and shows the controls, the "
            "readouts, W and the loss curve in large type on the first screen. The link keeps it "
            "(present=1).",
            "Para un proyector: oculta la barra lateral y la tabla de datos y muestra los "
            "controles, las lecturas, W y la curva de pérdida en letra grande en la primera "
            "pantalla. El enlace lo conserva (present=1).",
        ),
        "look.label": ("Look back at epoch", "Volver a la época"),
        "look.help": (
            "Every view follows the epoch chosen here.",
            "Todas las vistas siguen la época elegida aquí.",
        ),
        "tab.predictions": ("Predictions", "Predicciones"),
        "tab.step": ("Inside one step", "Dentro de un paso"),
        "tab.landscape": ("Loss landscape", "Paisaje de la pérdida"),
        "tab.predict": ("Predict", "Predecir"),
        "tab.code": ("Code & downloads", "Código y descargas"),
        # -- the guided lesson and its questions (issue 18; chapters in dashboard/lesson) --
        "lesson.start": ("Guided lesson", "Lección guiada"),
        "lesson.start_help": (
            "The notebook's path in nine short chapters: read, do one thing, predict, reveal.",
            "El camino del cuaderno en nueve capítulos cortos: lee, haz una cosa, predice, revela.",
        ),
        "lesson.leave": ("Leave the lesson", "Salir de la lección"),
        "lesson.chapter": (
            "Chapter {number} of {count}: {title}",
            "Capítulo {number} de {count}: {title}",
        ),
        "lesson.do": ("**Try this:** {do}", "**Prueba esto:** {do}"),
        "lesson.look": ("**Look at:** {view}", "**Mira:** {view}"),
        "lesson.view.data": ("the data table", "la tabla de datos"),
        "lesson.view.weights": ("the weights W and b", "los pesos W y b"),
        "lesson.view.loss": ("the loss curve", "la curva de la pérdida"),
        "lesson.view.predictions": (
            "the predictions against the actual values",
            "las predicciones frente a los valores reales",
        ),
        "lesson.view.step": ("Inside one step", "Dentro de un paso"),
        "lesson.view.landscape": ("the loss landscape", "el paisaje de la pérdida"),
        "lesson.view.predict": ("Predict", "Predecir"),
        "lesson.view.code": ("Code & downloads", "Código y descargas"),
        "lesson.back": ("Back", "Anterior"),
        "lesson.next": ("Next", "Siguiente"),
        "lesson.predict": ("Predict, then reveal", "Predice y luego revela"),
        "lesson.your_answer": ("Your answer: {answer}", "Tu respuesta: {answer}"),
        "lesson.guess": ("Your guess", "Tu estimación"),
        "lesson.answer": ("Answer", "Responder"),
        "lesson.reveal": ("Reveal", "Revelar"),
        "lesson.reveal_help": (
            "Runs {epochs} epoch(s) on your own run and shows what happened.",
            "Ejecuta {epochs} época(s) en tu entrenamiento y muestra lo que pasó.",
        ),
        "lesson.answer_first": ("Answer first, then reveal.", "Responde primero y luego revela."),
        "choice.up": ("Up", "Sube"),
        "choice.down": ("Down", "Baja"),
        "choice.increase": ("Increase", "Aumenta"),
        "choice.decrease": ("Decrease", "Disminuye"),
        "choice.yes": ("Yes", "Sí"),
        "choice.no": ("No", "No"),
        "result.right": ("You were right: {what}", "Acertaste: {what}"),
        "result.wrong": ("Not this time: {what}", "Esta vez no: {what}"),
        "result.score": (
            "Your guess {guess} scores {score} of 1 (1 exact, 0 off by a factor of 10).",
            "Tu estimación {guess} puntúa {score} de 1 (1 exacta, 0 si se aleja un factor 10).",
        ),
        "what.loss_direction.down": (
            "the loss went down, from {before} to {after}.",
            "la pérdida bajó, de {before} a {after}.",
        ),
        "what.loss_direction.up": (
            "the loss did not go down: from {before} to {after}.",
            "la pérdida no bajó: de {before} a {after}.",
        ),
        "what.largest_change": (
            "the weight {cell} changed most, by {change}.",
            "el peso {cell} fue el que más cambió, en {change}.",
        ),
        "what.weight_direction.increase": (
            "the weight {cell} increased, by {change}.",
            "el peso {cell} aumentó, en {change}.",
        ),
        "what.weight_direction.decrease": (
            "the weight {cell} did not increase: it changed by {change}.",
            "el peso {cell} no aumentó: cambió en {change}.",
        ),
        "what.divergence.yes": (
            "the run diverged at epoch {epoch}.",
            "el entrenamiento divergió en la época {epoch}.",
        ),
        "what.divergence.no": (
            "the run did not diverge: after {epochs} epochs the loss is {after}.",
            "el entrenamiento no divergió: tras {epochs} épocas la pérdida es {after}.",
        ),
        "what.loss_after": (
            "after {epochs} epochs the loss is {after} (it was {before}).",
            "tras {epochs} épocas la pérdida es {after} (era {before}).",
        ),
        "what.loss_after.diverged": (
            "the run diverged at epoch {epoch}; the loss stayed at {after}.",
            "el entrenamiento divergió en la época {epoch}; la pérdida quedó en {after}.",
        ),
        "weights.title": ("Weights after epoch {epoch}", "Pesos tras la época {epoch}"),
        "weights.matrix": ("W", "W"),
        "weights.layout": (
            "Rows: targets · columns: inputs. Below: the gradients of this epoch's update.",
            "Filas: objetivos · columnas: entradas. Debajo: los gradientes de la actualización de esta época.",
        ),
        "weights.bias": ("b", "b"),
        "weights.grad": ("W.grad", "W.grad"),
        "weights.bias_grad": ("b.grad", "b.grad"),
        "weights.grad_units": (" (standardized units)", " (unidades estandarizadas)"),
        "weights.no_grad": ("No gradients yet: press Step.", "Aún no hay gradientes: pulsa Paso."),
        "loss.title": ("Loss over epochs", "Pérdida por época"),
        "loss.log": ("Log scale", "Escala logarítmica"),
        "loss.empty": (
            "The curve starts with the first Step.",
            "La curva empieza con el primer Paso.",
        ),
        "loss.clear_runs": (
            "Clear {count} earlier run(s)",
            "Borrar {count} ejecución(es) anterior(es)",
        ),
        "fig.epoch": ("Epoch", "Época"),
        "fig.loss": ("Loss", "Pérdida"),
        "fig.optimum": ("Least-squares optimum", "Óptimo de mínimos cuadrados"),
        "fig.this_run": ("This run", "Esta ejecución"),
        "fig.shown_epoch": ("Epoch shown", "Época mostrada"),
        "fig.row": ("Row", "Fila"),
        "fig.actual": ("Actual", "Real"),
        "fig.predicted": ("Predicted", "Predicho"),
        "fig.identity": ("y = x", "y = x"),
        "fig.fitted": ("fitted line", "recta ajustada"),
        "fig.path": ("Training path", "Camino del entrenamiento"),
        "fig.start": ("Start", "Inicio"),
        "fig.current": ("Now", "Ahora"),
        "pred.actual": ("actual", "real"),
        "pred.predicted": ("predicted", "predicho"),
        "pred.error": ("error", "error"),
        "pred.row": ("row", "fila"),
        "step.none": (
            "Press Step to see the five steps of an epoch with its real numbers.",
            "Pulsa Paso para ver los cinco pasos de una época con sus números reales.",
        ),
        "step.thinned": (
            "This epoch's parameters were not kept (very wide model); pick a nearby epoch.",
            "No se guardaron los parámetros de esta época (modelo muy ancho); elige una cercana.",
        ),
        "step.intro": (
            "**Epoch {epoch}**, step by step (first rows shown):",
            "**Época {epoch}**, paso a paso (se muestran las primeras filas):",
        ),
        "step.standardized": (
            "Inputs are standardized: W and b below are in standardized units.",
            "Las entradas están estandarizadas: W y b aquí están en unidades estandarizadas.",
        ),
        "step.1": (
            "**1. Predictions** with the weights before the update:",
            "**1. Predicciones** con los pesos antes de la actualización:",
        ),
        "step.2": (
            "**2. Loss**: the mean of the squared differences over all {cells} cells = **{loss}**",
            "**2. Pérdida**: la media de las diferencias al cuadrado en las {cells} celdas = **{loss}**",
        ),
        "step.3": (
            "**3. Gradients** of the loss with respect to W and b:",
            "**3. Gradientes** de la pérdida respecto a W y b:",
        ),
        "step.4": (
            "**4. Update**: new = old − lr · grad, with lr = {lr}:",
            "**4. Actualización**: nuevo = anterior − lr · grad, con lr = {lr}:",
        ),
        "step.optimizer.sgd": ("SGD: new = old − lr · grad.", "SGD: nuevo = anterior − lr · grad."),
        "step.optimizer.momentum": (
            "SGD with momentum: the step follows a running sum of past gradients, "
            "so new ≠ old − lr · grad.",
            "SGD con momento: el paso sigue una suma acumulada de gradientes pasados, "
            "así que nuevo ≠ anterior − lr · grad.",
        ),
        "step.optimizer.adam": (
            "Adam: each parameter's step is scaled by running averages of its gradient and "
            "squared gradient, so new ≠ old − lr · grad.",
            "Adam: el paso de cada parámetro se escala con promedios de su gradiente y de su "
            "cuadrado, así que nuevo ≠ anterior − lr · grad.",
        ),
        "step.col.old": ("old", "anterior"),
        "step.col.grad": ("grad", "grad"),
        "step.col.lr_grad": ("lr · grad", "lr · grad"),
        "step.col.new": ("new", "nuevo"),
        "step.5": (
            "**5. Zero the gradients**, ready for the next epoch:",
            "**5. Reiniciar los gradientes** a cero para la siguiente época:",
        ),
        "landscape.help": (
            "The loss over two parameters, the others held at their current values, with the path "
            "training took. ★ marks the least-squares optimum of all parameters; the dark valley is "
            "the best these two can do while the others stay where they are.",
            "La pérdida sobre dos parámetros, con los demás fijos en sus valores actuales, y el camino "
            "del entrenamiento. ★ marca el óptimo de mínimos cuadrados de todos los parámetros; el "
            "valle oscuro es lo mejor que pueden lograr estos dos mientras los demás no se mueven.",
        ),
        "landscape.x": ("Parameter on x", "Parámetro en x"),
        "landscape.y": ("Parameter on y", "Parámetro en y"),
        "landscape.same": ("Choose two different parameters.", "Elige dos parámetros distintos."),
        "predict.help": (
            "Type a new row's inputs (original units) to read the predicted targets.",
            "Escribe las entradas de una fila nueva (unidades originales) para leer la predicción.",
        ),
        "predict.result": ("Predicted {name}", "{name} predicho"),
        "code.help": (
            "A self-contained PyTorch script with this data and these settings; it reproduces these "
            "{epochs} epoch(s) exactly and prints the final loss.",
            "Un script de PyTorch autónomo con estos datos y ajustes; reproduce exactamente estas "
            "{epochs} época(s) e imprime la pérdida final.",
        ),
        "code.paused_only": (
            "The script and downloads appear when training is paused.",
            "El script y las descargas aparecen cuando el entrenamiento está en pausa.",
        ),
        "code.too_big_to_show": (
            "The script embeds all {rows:,} rows, too many to show here: download it.",
            "El script incluye las {rows:,} filas, demasiadas para mostrarlas aquí: descárgalo.",
        ),
        "code.download_script": ("Download script", "Descargar script"),
        "code.download_weights_csv": ("Weights (CSV)", "Pesos (CSV)"),
        "code.download_weights_json": ("Weights (JSON)", "Pesos (JSON)"),
        "code.download_history": ("Loss history (CSV)", "Historial de pérdida (CSV)"),
        # the live room (linreg.page.room)
        "room.header": ("Room", "Sala"),
        "room.start": ("Start a room", "Abrir una sala"),
        "room.start_help": (
            "Everyone with the link or the code follows your run live on their own device.",
            "Quien tenga el enlace o el código sigue tu ejecución en directo en su dispositivo.",
        ),
        "room.code": ("Room code", "Código de la sala"),
        "room.link": ("Link for the room", "Enlace para la sala"),
        "room.qr": ("Scan to follow", "Escanea para seguir"),
        "room.qr_alt": ("QR code of the room's link", "Código QR del enlace de la sala"),
        "room.show_big": ("Show the code big", "Mostrar el código en grande"),
        "room.followers": ("Following now: {count}", "Siguiendo ahora: {count}"),
        "room.end": ("End the room", "Cerrar la sala"),
        "room.board": (
            "Room board: the room's own runs",
            "Tablero de la sala: las ejecuciones de la sala",
        ),
        "room.board_empty": (
            "No runs yet: when someone clicks “Make it mine” and trains, their run appears here.",
            "Aún no hay ejecuciones: cuando alguien pulse «Hacerla mía» y entrene, su ejecución "
            "aparecerá aquí.",
        ),
        "room.anonymous": ("anonymous", "anónimo"),
        # predict, then reveal in a room
        "quiz.header": ("Predict, then reveal", "Predice y luego revela"),
        "quiz.ask": ("Ask the room", "Preguntar a la sala"),
        "quiz.reveal": ("Reveal", "Revelar"),
        "quiz.reveal_help": (
            "Performs the question's Step or Run on your run and shows everyone the answer.",
            "Ejecuta el paso o las épocas de la pregunta en tu entrenamiento y muestra la "
            "respuesta a todos.",
        ),
        "quiz.which": ("Question", "Pregunta"),
        "quiz.kind.chapter": ("The lesson chapter's question", "La pregunta del capítulo"),
        "quiz.kind.loss_direction": ("Loss: up or down?", "Pérdida: ¿sube o baja?"),
        "quiz.kind.largest_change": ("Which weight changes most?", "¿Qué peso cambia más?"),
        "quiz.kind.weight_direction": ("A weight: up or down?", "Un peso: ¿aumenta o disminuye?"),
        "quiz.kind.divergence": ("Divergence within N epochs?", "¿Diverge en N épocas?"),
        "quiz.kind.loss_after": ("The loss after N epochs", "La pérdida tras N épocas"),
        "quiz.asks.loss_direction": (
            "At the next Step, will the loss go up or down?",
            "En el próximo paso, ¿la pérdida sube o baja?",
        ),
        "quiz.asks.largest_change": (
            "At the next Step, which weight will change most?",
            "En el próximo paso, ¿qué peso cambiará más?",
        ),
        "quiz.asks.weight_direction": (
            "At the next Step, will weight {cell} increase or decrease?",
            "En el próximo paso, ¿el peso {cell} aumentará o disminuirá?",
        ),
        "quiz.asks.divergence": (
            "Will training diverge within {epochs} epochs?",
            "¿Divergirá el entrenamiento en {epochs} épocas?",
        ),
        "quiz.asks.loss_after": (
            "What will the loss be after {epochs} more epochs?",
            "¿Cuál será la pérdida tras {epochs} épocas más?",
        ),
        "quiz.answers": ("Answers: {count}", "Respuestas: {count}"),
        "quiz.col_answers": ("Answers", "Respuestas"),
        "quiz.your_guess": ("Your guess", "Tu estimación"),
        "quiz.send": ("Answer", "Responder"),
        "quiz.waiting": (
            "You can change your answer until the presenter reveals it.",
            "Puedes cambiar tu respuesta hasta que se revele.",
        ),
        "quiz.no_answer": (
            "You did not answer this one. {what}",
            "No respondiste a esta. {what}",
        ),
        "quiz.closed": (
            "The answer is already revealed: answers are closed.",
            "La respuesta ya se ha revelado: no se admiten más respuestas.",
        ),
        "quiz.scores": ("Scores", "Puntuaciones"),
        "quiz.col_rank": ("Rank", "Puesto"),
        "quiz.col_score": ("Score", "Puntos"),
        "quiz.col_right": ("Right", "Aciertos"),
        "room.col_name": ("Who", "Quién"),
        "room.col_lr": ("Learning rate", "Tasa de aprendizaje"),
        "room.col_options": ("Options", "Opciones"),
        "room.col_epoch": ("Epoch", "Época"),
        "room.col_loss": ("Loss", "Pérdida"),
        "room.col_ratio": ("Loss / optimum", "Pérdida / óptimo"),
        "room.col_ratio_help": (
            "1× is the least-squares optimum; larger is further from it.",
            "1× es el óptimo de mínimos cuadrados; más es más lejos de él.",
        ),
        "room.col_diverged": ("Diverged", "Divergió"),
        "room.col_curve": ("Loss curve", "Curva de pérdida"),
        "room.pick": ("Run to show to the room", "Ejecución para mostrar a la sala"),
        "room.show": ("Show to the room", "Mostrar a la sala"),
        "room.unshow": ("Stop showing", "Dejar de mostrar"),
        "room.entry": (
            "{name} · learning rate {lr} · epoch {epoch}",
            "{name} · tasa de aprendizaje {lr} · época {epoch}",
        ),
        "room.showing": ("Shown to the room: {name}", "Mostrada a la sala: {name}"),
        "room.diverged": ("diverged", "divergió"),
        "room.converging": ("not diverged", "no divergió"),
        "room.shown_numbers": (
            "Loss {loss} (optimum {optimum}), {status}. {options}",
            "Pérdida {loss} (óptimo {optimum}), {status}. {options}",
        ),
        # a room's challenge
        "challenge.header": ("Challenge", "Reto"),
        "challenge.target": ("Target: loss ≤", "Objetivo: pérdida ≤"),
        "challenge.target_help": (
            "On the data as they are now. The default is {factor}× the least-squares optimum of "
            "these data ({optimum}).",
            "Con los datos tal como están ahora. Por defecto, {factor}× el óptimo de mínimos "
            "cuadrados de estos datos ({optimum}).",
        ),
        "challenge.limit": ("Epoch limit", "Límite de épocas"),
        "challenge.start": ("Start a challenge", "Empezar un reto"),
        "challenge.end": ("End the challenge", "Terminar el reto"),
        "challenge.on": (
            "Reach a loss ≤ {target} within {limit} epochs.",
            "Alcanza una pérdida ≤ {target} en {limit} épocas como mucho.",
        ),
        "challenge.how": (
            "Click “Make it mine”, choose your settings and press “Play the challenge”: the "
            "fewest epochs to the target wins.",
            "Pulsa «Hacerla mía», elige tus ajustes y pulsa «Jugar el reto»: gana quien "
            "necesite menos épocas para llegar al objetivo.",
        ),
        "challenge.play": ("Play the challenge", "Jugar el reto"),
        "challenge.play_help": (
            "Your run starts again from its initial weights with your settings and trains up to "
            "the target or the limit; the presenter's board ranks it and can re-run it to "
            "verify.",
            "Tu ejecución empieza de nuevo desde sus pesos iniciales con tus ajustes y entrena "
            "hasta el objetivo o el límite; el tablero de quien presenta la clasifica y puede "
            "repetirla para verificarla.",
        ),
        "challenge.reached": (
            "Your settings reached the target in {epochs} epochs (loss {loss}).",
            "Tus ajustes alcanzaron el objetivo en {epochs} épocas (pérdida {loss}).",
        ),
        "challenge.not_reached": (
            "Your settings did not reach the target within {limit} epochs; the lowest loss was "
            "{loss}.",
            "Tus ajustes no alcanzaron el objetivo en {limit} épocas; la pérdida más baja fue "
            "{loss}.",
        ),
        "challenge.empty": (
            "No entries yet: attendees make the run theirs and press “Play the challenge”.",
            "Aún no hay participaciones: cada asistente hace suya la ejecución y pulsa «Jugar el "
            "reto».",
        ),
        "challenge.col_epochs": ("Epochs to the target", "Épocas hasta el objetivo"),
        "challenge.col_loss": ("Loss reached", "Pérdida alcanzada"),
        "challenge.col_verified": ("Verified", "Verificada"),
        "challenge.verified.yes": ("yes", "sí"),
        "challenge.verified.no": (
            "no: the re-run differs",
            "no: la repetición da otra cosa",
        ),
        "challenge.verified.none": ("not yet", "aún no"),
        "challenge.never": ("not reached", "no alcanzado"),
        "challenge.pick": ("Entry to verify", "Participación para verificar"),
        "challenge.verify": ("Verify", "Verificar"),
        "challenge.verify_help": (
            "Re-runs the entry's settings here, on the challenge's data: an honest entry needs "
            "the same number of epochs.",
            "Repite aquí los ajustes de la participación, con los datos del reto: una "
            "participación honesta necesita el mismo número de épocas.",
        ),
        "challenge.verify_all": ("Verify all", "Verificar todas"),
        "challenge.entry": (
            "{name} · learning rate {lr} · {epochs}",
            "{name} · tasa de aprendizaje {lr} · {epochs}",
        ),
        "challenge.epochs": ("{epochs} epochs", "{epochs} épocas"),
        "room.join_code": ("Join a room: its code", "Unirse a una sala: su código"),
        "room.join": ("Join", "Unirse"),
        "room.following": ("Following room {code}", "Siguiendo la sala {code}"),
        "room.readonly": (
            "You see the presenter's run as it trains; nothing here changes it. “Make it mine” "
            "gives you your own copy to train.",
            "Ves la ejecución de quien presenta mientras entrena; nada aquí la cambia. «Hacerla "
            "mía» te da tu propia copia para entrenar.",
        ),
        "room.nickname": (
            "Nickname on the room board (optional)",
            "Apodo en el tablero (opcional)",
        ),
        "room.nickname_help": (
            "Shown to the presenter beside your run; leave it empty to stay anonymous.",
            "Se muestra a quien presenta junto a tu ejecución; déjalo vacío para ser anónimo.",
        ),
        "room.mine": ("Make it mine", "Hacerla mía"),
        "room.mine_help": (
            "The presenter's data, settings and current epoch become your own run; the "
            "presenter's board shows how it goes (numbers only, never your data).",
            "Los datos, ajustes y época actual de quien presenta pasan a ser tu ejecución; el "
            "tablero de quien presenta muestra cómo va (solo números, nunca tus datos).",
        ),
        "room.leave": ("Leave the room", "Salir de la sala"),
        "room.data": (
            "The presenter's data — {rows} rows × {columns} columns",
            "Los datos de quien presenta — {rows} filas × {columns} columnas",
        ),
        "room.waiting": ("Waiting for the presenter…", "Esperando a quien presenta…"),
        "room.reconnecting": (
            "Reconnecting to the room…",
            "Reconectando con la sala…",
        ),
        "room.stream_ended": ("The room has ended.", "La sala se ha cerrado."),
        "room.stream_origin": (
            "This room's stream answers only its own page.",
            "El flujo de esta sala solo responde a su propia página.",
        ),
    },
)


# The page reads its words as t(key, lang, **params).
t = TEXT
