"""The Brain that trains any countermeasure backbone with FICA.

One training step (Wang et al., ACML 2024, Eq. 6, each term switchable)::

    L = w_clean * CE(x) + w_masked * CE(x_mask)
        + lambda_inf * JS(q(x), q(x_mask)) + lambda_ini * InI(f(x), bank)

* ``x_mask``: :class:`~speechbrain_fica.lobes.fica.BandPassMasker` output.
* ``JS``: :func:`~speechbrain_fica.nnet.losses.js_consistency_loss`.
* ``InI``: :func:`~speechbrain_fica.nnet.losses.instance_correlation_loss`
  of the clean embeddings against the memory bank; afterwards the momentum
  encoder's keys of the batch enter the bank and, after the optimiser step,
  the momentum encoder takes one EMA step.

Order of a training step's input processing: the training augmentation
(``augmentation``, e.g. RawBoost or codecs) first, then the InF masking of
the augmented waveforms, so that ``x`` is the augmented waveform and
``x_mask`` a band of it; the momentum encoder embeds the same augmented
``x``. Validation and test audio is never augmented.

A term with weight 0 is skipped, so the paper's ablation rows (baseline,
+InF, +InI, +InF+InI) and Table 3's "InF without consistency" are yaml
settings. Validation and test run the backbone alone: the FICA modules add
no parameters and no time to the deployed model.

A training batch whose loss or outputs are NaN or infinite (in any DDP
process) is skipped and leaves the training state as it was: weights,
optimiser, normalisation statistics, momentum encoder and memory bank (see
:meth:`FICABrain.fit_batch`). A dev EER that cannot be computed is stored
as +inf in the checkpoint, so it never outranks a computed one.

Hyperparameters read from the yaml (optional ones have defaults):

``modules``
    ``model`` (the backbone), plus ``masker`` when ``weight_masked_ce`` or
    ``lambda_inf`` is positive and ``momentum_encoder`` and
    ``memory_bank`` when ``lambda_ini`` is positive.
``classification_loss``
    Called as ``loss(logits [B, 2], targets [B])``, e.g.
    ``torch.nn.CrossEntropyLoss`` (with ``weight`` for AASIST's weighted
    cross-entropy).
``weight_clean_ce`` (1.0), ``weight_masked_ce`` (0), ``lambda_inf`` (0),
``lambda_ini`` (0)
    Loss weights.
``ini_reduction`` ("mean")
    Which normalisations of Eq. 4 are kept (Eq. 4 as printed: ``1 / N``
    over the anchors, ``1 / N_pos`` and ``1 / N_neg`` over each anchor's
    positive and negative bank keys):

    * ``"mean"``: all three, as printed; the term does not depend on the
      bank size or the batch size;
    * ``"pair_sum"``: ``1 / N`` only (summed over each anchor's pairs):
      the term grows with the number of keys in the bank;
    * ``"sum"``: none (summed over every anchor-key pair of the batch):
      the term grows with the bank size and the batch size.

    See :func:`~speechbrain_fica.nnet.losses.instance_correlation_loss`.
``grad_norm_every`` (0)
    Every that many training steps (and on the first step of each epoch),
    the norm of the gradient of each weighted loss term with respect to
    the backbone's trainable parameters is computed and divided by that of
    the clean cross-entropy; the epoch means are logged in the train log
    as ``gnorm_<term>/ce`` (``gnorm_ce`` is the cross-entropy's own norm).
    Each measured step costs one extra backward pass per active term; 0
    switches the measurement off. Under DDP each process measures its own
    gradients (before the all-reduce) and the logged value is the mean
    over processes; under fp16 AMP the terms are scaled by the loss scale
    before differentiation (ratios do not depend on it). InI is not
    measured while the memory bank is empty.
``joint_forward`` (True)
    Clean and masked views in one batched forward (BatchNorm statistics are
    then computed over both views) or in two.
``masked_view_in_bank`` (False)
    Also enqueue the momentum encoder's keys of the masked view.
``augmentation`` (None)
    Training-only waveform augmentation: a module or a list of modules
    applied in order (see :func:`speechbrain_fica.augment.apply_augmentation`;
    :class:`~speechbrain_fica.augment.RawBoost` and
    :class:`~speechbrain_fica.augment.CodecAugmentation` draw per utterance
    from the same ``(seed, epoch, id)`` keys as the band masks).
``param_groups`` (None)
    Keyword arguments of the backbone's ``parameter_groups`` method (e.g.
    ``{ssl_lr: 1.0e-6, backend_lr: 1.0e-4}`` for
    :class:`~speechbrain_fica.lobes.SSL_AASIST`): the optimiser then gets
    these groups, each with its own learning rate (an epoch-level
    ``lr_annealing`` sets one rate for all groups).
``score_type`` ("bonafide_logit")
    See :func:`~speechbrain_fica.metrics.cm_scores.cm_scores`.
``lr_annealing`` / ``lr_step_scheduler``
    Optional epoch-level (``f(epoch) -> (old, new)``) and per-step
    (``f(optimizer) -> (old, new)``) learning-rate schedules.
``asv_scores_valid`` / ``asv_scores_test``
    Optional ASVspoof 2019 ASV score files for the min t-DCF.
``score_format`` ("2019")
    ``"2019"`` (``utt attack key score``) or ``"2021"`` (``utt score``).
``ckpt_num_to_keep`` (2)
    Best checkpoints kept (by validation EER).
``batch_size_scope`` ("per_process")
    What the training loader's ``batch_size`` counts under DDP:
    ``"per_process"`` (SpeechBrain's behaviour: each process loads that
    many) or ``"total"`` (each of the ``W`` processes loads
    ``batch_size / W``, so the optimiser sees ``batch_size`` utterances
    per step whatever the number of processes). Read by
    :meth:`FICABrain.fit_recipe`.
``pretrained_model``, ``sorting``, ``*_dataloader_opts``
    Read by the recipe methods :meth:`FICABrain.from_recipe_hparams`,
    :meth:`FICABrain.fit_recipe` and :meth:`FICABrain.evaluate_test_set`.
``epoch_counter``, ``train_logger``, ``checkpointer``, ``output_folder``
    As in every SpeechBrain recipe.

Authors
 * speechbrain-fica contributors 2026
"""

import hashlib
import json
import logging
import math
import os

import speechbrain as sb
import torch
import torch.distributed as dist
import yaml
from speechbrain.utils.distributed import ddp_barrier, if_main_process
from torch.nn.modules.batchnorm import _NormBase
from torch.nn.parallel import DistributedDataParallel as DDP

from speechbrain_fica.augment.pipeline import apply_augmentation
from speechbrain_fica.lobes.fica import unwrap_module
from speechbrain_fica.metrics.cm_scores import cm_scores
from speechbrain_fica.metrics.report import write_test_outputs
from speechbrain_fica.metrics.score_files import read_asv_scores_2019
from speechbrain_fica.metrics.stats import SpoofMetricStats
from speechbrain_fica.nnet.losses import (
    instance_correlation_loss,
    js_consistency_loss,
)
from speechbrain_fica.nnet.normalization import (
    convert_to_distributed_batchnorm,
)
from speechbrain_fica.utils.checkpoints import load_backbone_weights
from speechbrain_fica.utils.reproducibility import RandomStateCheckpoint

logger = logging.getLogger(__name__)

LOSS_TERMS = ("ce_clean", "ce_masked", "inf", "ini")
# ini_reduction -> (reduction over each anchor's pairs, over the anchors)
INI_REDUCTIONS = {
    "mean": ("mean", "mean"),
    "pair_sum": ("sum", "mean"),
    "sum": ("sum", "sum"),
}
BATCH_SIZE_SCOPES = ("per_process", "total")
SORTINGS = ("random", "none")
# Checkpoint recoverables that evaluation does not need.
TRAINING_ONLY_STATE = {
    "momentum_encoder",
    "memory_bank",
    "optimizer",
    "scaler",
    "lr_step_scheduler",
    "random_states",
    "brain",
    "dataloader-TRAIN",
}


def _distributed():
    return dist.is_available() and dist.is_initialized()


def _mean_over_ranks(value):
    """The mean of a float over the DDP ranks (the value itself without
    DDP)."""
    if not _distributed():
        return value
    device = "cuda" if dist.get_backend() == "nccl" else "cpu"
    total = torch.tensor([float(value)], dtype=torch.float64, device=device)
    dist.all_reduce(total)
    return float(total) / dist.get_world_size()


def _true_on_any_rank(flag, device):
    """Whether ``flag`` is True in any DDP process: one ``all_reduce``, so
    that every process takes the same decision (``flag`` without DDP)."""
    if not _distributed():
        return bool(flag)
    device = device if dist.get_backend() == "nccl" else "cpu"
    value = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def _all_finite(loss, outputs):
    """Whether the loss and every tensor of the forward outputs are
    finite (one device synchronisation)."""
    tensors = [loss] + [v for v in outputs.values() if torch.is_tensor(v)]
    return bool(torch.stack([torch.isfinite(t).all() for t in tensors]).all())


def _describe_ids(ids, limit=20):
    """Utterance ids for a log line (all of a batch, up to ``limit``)."""
    ids = [str(utt_id) for utt_id in ids]
    shown = ", ".join(ids[:limit])
    return shown + (f", ... ({len(ids)} in all)" if len(ids) > limit else "")


def check_training_batches(n_items, loader_opts, world_size=1):
    """The number of training batches per epoch and process; an error when
    there would be none.

    Arguments
    ---------
    n_items : int
        Utterances in the training set.
    loader_opts : dict
        The training loader options (``batch_size``, ``drop_last``). With a
        ``batch_sampler`` (dynamic batching) the count is not known here
        and nothing is checked.
    world_size : int
        DDP processes (each gets ``1 / world_size`` of the set).

    Returns
    -------
    int or None
        Batches per epoch and process (None with a ``batch_sampler``).

    Raises
    ------
    ValueError
        No batch: the message gives the set size, the batch size and
        ``drop_last``.

    Example
    -------
    >>> check_training_batches(10, {"batch_size": 4, "drop_last": True})
    2
    >>> check_training_batches(3, {"batch_size": 4, "drop_last": True})
    Traceback (most recent call last):
      ...
    ValueError: the training set has 3 utterance(s) (3 per process), fewer than one batch of 4 with drop_last: True: training would run on zero batches; lower batch_size, set drop_last: False (on the command line: --train_dataloader_opts "{batch_size: 3, drop_last: False}") or add training data
    """
    if loader_opts.get("batch_sampler") is not None:
        return None
    batch_size = int(loader_opts.get("batch_size", 1))
    drop_last = bool(loader_opts.get("drop_last", False))
    if drop_last:
        per_process = n_items // world_size
        batches = per_process // batch_size
    else:
        per_process = -(-n_items // world_size)
        batches = -(-per_process // batch_size)
    if batches == 0:
        raise ValueError(
            f"the training set has {n_items} utterance(s) ({per_process} "
            f"per process), fewer than one batch of {batch_size} with "
            f"drop_last: {drop_last}: training would run on zero batches; "
            "lower batch_size, set drop_last: False (on the command line: "
            "--train_dataloader_opts "
            f'"{{batch_size: {max(per_process, 1)}, drop_last: False}}") '
            "or add training data"
        )
    return batches


def dataset_fingerprint(*datasets):
    """A short hash of what datasets hold (every entry of their manifests:
    ids, paths, labels, durations), to tell whether a checkpoint was
    trained on the same data.

    Arguments
    ---------
    *datasets : DynamicItemDataset or None
        The datasets (None is skipped).

    Returns
    -------
    str
        16 hex digits.

    Example
    -------
    >>> from speechbrain.dataio.dataset import DynamicItemDataset
    >>> one = DynamicItemDataset({"a": {"wav": "a.flac", "label": 1}})
    >>> two = DynamicItemDataset({"a": {"wav": "b.flac", "label": 1}})
    >>> dataset_fingerprint(one) == dataset_fingerprint(two)
    False
    >>> len(dataset_fingerprint(one, None))
    16
    """
    digest = hashlib.sha1(usedforsecurity=False)
    for dataset in datasets:
        if dataset is None:
            continue
        data = getattr(dataset, "data", None)
        if data is None:  # not a manifest-backed set: its length only
            data = {"len": len(dataset)}
        digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


@sb.utils.checkpoints.register_checkpoint_hooks
class FICABrain(sb.Brain):
    """Trains and evaluates a countermeasure with the FICA strategy.

    See the module docstring for the hyperparameters. The recipes only
    build datasets and call ``fit`` / ``evaluate``; name a test set by
    setting ``brain.test_name`` before ``evaluate`` so its outputs
    (``scores_<name>.txt``, ``summary_<name>.json``, per-attack tables, DET
    plot and score histograms) land under ``<output_folder>/<name>/``.

    Example
    -------
    >>> from speechbrain_fica.lobes import LCNN
    >>> model = LCNN(stacking="channels")
    >>> brain = FICABrain(
    ...     modules={"model": model},
    ...     hparams={"classification_loss": torch.nn.CrossEntropyLoss()},
    ... )
    >>> brain.loss_weights()
    {'ce_clean': 1.0, 'ce_masked': 0.0, 'inf': 0.0, 'ini': 0.0}
    """

    test_name = "test"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once: the one answer to "is this term on?" for the run.
        self.weights = weights = self.loss_weights()
        needed = []
        if self.masking_on:
            needed.append("masker")
        if self.ini_on:
            needed += ["momentum_encoder", "memory_bank"]
        missing = [name for name in needed if name not in self.modules]
        if missing:
            raise ValueError(
                f"the loss weights {weights} need the modules {missing}; "
                "add them under 'modules' in the yaml or set their weight "
                "to 0"
            )
        loss = self.hparams.classification_loss
        if isinstance(loss, torch.nn.Module):
            loss.to(self.device)
        self._asv_cache = {}
        # Stored in each validation checkpoint, see fit_recipe.
        self.data_fingerprint = None
        self._bank_items = None
        self.term_sums, self.term_count = {}, 0
        self.gnorm_sums, self.gnorm_counts = {}, {}
        if getattr(self, "compile", False) and self._hparam(
            "grad_norm_every", 0
        ):
            # The gradient-norm measurement differentiates the graph once per
            # term (retain_graph), which compiled backwards with donated
            # buffers refuse.
            import torch._functorch.config as functorch_config

            functorch_config.donated_buffer = False
        if self._hparam("ini_reduction", "mean") not in INI_REDUCTIONS:
            raise ValueError(
                f"ini_reduction must be one of {list(INI_REDUCTIONS)}, got "
                f"{self.hparams.ini_reduction!r}"
            )
        # Training batches skipped for non-finite values, over the run (the
        # per-epoch count toward nonfinite_patience is SpeechBrain's
        # nonfinite_count).
        self.nonfinite_batches = 0
        # Validation / test batches with a non-finite loss or scores.
        self.eval_nonfinite_batches, self.eval_nonfinite_ids = 0, []
        # Dropout continues identically after a resume (see on_fit_batch_start).
        self.random_states = RandomStateCheckpoint()
        if self.checkpointer is not None:
            self.checkpointer.add_recoverable(
                "random_states", self.random_states
            )

    @classmethod
    def from_recipe_hparams(cls, hparams, run_opts=None):
        """The Brain of a recipe yaml, with its given weights if any.

        ``pretrained_model`` (weights of the backbone ``model``) is loaded
        when set; a ``--test_only`` run then scores these weights rather
        than the experiment's best checkpoint, so its checkpointer is
        dropped.

        Arguments
        ---------
        hparams : dict
            The loaded yaml: ``modules``, ``opt_class``, ``checkpointer``,
            ``model`` and ``pretrained_model``, plus the keys of the
            module docstring.
        run_opts : dict, optional
            The run options of ``speechbrain.parse_arguments``.

        Returns
        -------
        FICABrain
            The Brain.
        """
        if hparams["pretrained_model"]:
            load_backbone_weights(hparams["model"], hparams["pretrained_model"])
        brain = cls(
            modules=hparams["modules"],
            opt_class=hparams["opt_class"],
            hparams=hparams,
            run_opts=run_opts,
            checkpointer=hparams["checkpointer"],
        )
        if brain.test_only and hparams["pretrained_model"]:
            brain.checkpointer = None
        return brain

    def fit_recipe(self, train_set, valid_set):
        """:meth:`fit` over the yaml's ``epoch_counter``, with the yaml's
        loader options (nothing to do in a ``--test_only`` run).

        ``sorting`` (``random`` or ``none``) alone sets whether the
        training loader shuffles: in one process through its ``shuffle``
        option, under DDP through SpeechBrain, which reads ``sorting``
        itself. A ``shuffle`` in ``train_dataloader_opts`` could contradict
        it and is refused. ``batch_size_scope`` sets whether the loader's
        ``batch_size`` is per process or the total over the DDP processes.
        A training set that gives no batch (fewer utterances than
        ``batch_size`` with ``drop_last``) is an error before anything runs.
        The checkpoints store a fingerprint of the training and dev sets;
        resuming from one saved on other data is logged as a warning.

        Arguments
        ---------
        train_set : Dataset or None
            The training set (None in a ``--test_only`` run).
        valid_set : Dataset or None
            The validation set.
        """
        sorting = self.hparams.sorting
        if sorting not in SORTINGS:
            raise ValueError(f"sorting must be random or none: {sorting}")
        train_opts = dict(self.hparams.train_dataloader_opts)
        if "shuffle" in train_opts:
            raise ValueError(
                "train_dataloader_opts sets 'shuffle'; whether training "
                "shuffles is set by 'sorting' (random | none) alone: remove "
                "'shuffle' from train_dataloader_opts"
            )
        train_opts["shuffle"] = sorting == "random"
        scope = self._hparam("batch_size_scope", "per_process")
        if scope not in BATCH_SIZE_SCOPES:
            raise ValueError(
                f"batch_size_scope must be one of {BATCH_SIZE_SCOPES}, got "
                f"{scope!r}"
            )
        world = dist.get_world_size() if _distributed() else 1
        if scope == "total" and world > 1:
            total = int(train_opts["batch_size"])
            if total % world:
                raise ValueError(
                    f"batch_size {total} (batch_size_scope: total) is not "
                    f"divisible by the {world} processes"
                )
            train_opts["batch_size"] = total // world
            logger.info(
                "total batch %d: %d utterances per process on %d processes",
                total,
                total // world,
                world,
            )
        if train_set is not None and not self.test_only:
            check_training_batches(len(train_set), train_opts, world)
            self.data_fingerprint = dataset_fingerprint(train_set, valid_set)
            self.warn_if_resuming_other_data()
        self.fit(
            self.hparams.epoch_counter,
            train_set,
            valid_set,
            train_loader_kwargs=train_opts,
            valid_loader_kwargs=self.hparams.valid_dataloader_opts,
        )

    def evaluate_test_set(self, name, test_set):
        """Evaluates the checkpoint of lowest dev EER on a named test set.

        The outputs (see :meth:`write_test_outputs`) go to
        ``<output_folder>/<name>/``; the loader options are the yaml's
        ``test_dataloader_opts``.

        Arguments
        ---------
        name : str
            The test set's name, e.g. ``eval`` or ``LA2021``.
        test_set : Dataset
            The test set.

        Returns
        -------
        float
            The average test loss.
        """
        self.test_name = name
        return self.evaluate(
            test_set,
            min_key="EER",
            test_loader_kwargs=dict(self.hparams.test_dataloader_opts),
        )

    def close(self):
        """Ends a recipe run: under DDP, waits for every process and
        shuts the process group down (a process that exits with a live
        gloo group can abort at interpreter exit)."""
        if dist.is_available() and dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()

    @property
    def masking_on(self):
        """Whether the InF masked view is computed (its CE or JS term is
        on)."""
        return self.weights["ce_masked"] > 0 or self.weights["inf"] > 0

    @property
    def ini_on(self):
        """Whether the InI term (momentum encoder, memory bank) is on."""
        return self.weights["ini"] > 0

    def _hparam(self, name, default):
        return getattr(self.hparams, name, default)

    def loss_weights(self):
        """The weight of each loss term (0 = term off), read from the yaml
        (the Brain stores them once as ``self.weights``).

        Returns
        -------
        dict
            ``{"ce_clean", "ce_masked", "inf", "ini"} -> float``.
        """
        return {
            "ce_clean": float(self._hparam("weight_clean_ce", 1.0)),
            "ce_masked": float(self._hparam("weight_masked_ce", 0.0)),
            "inf": float(self._hparam("lambda_inf", 0.0)),
            "ini": float(self._hparam("lambda_ini", 0.0)),
        }

    # ------------------------------------------------------------------
    # Forward and losses
    # ------------------------------------------------------------------
    def compute_forward(self, batch, stage):
        """Runs the backbone (and, in training, the FICA views and keys).

        Arguments
        ---------
        batch : PaddedBatch
            With ``sig`` (waveforms and relative lengths).
        stage : speechbrain.Stage
            TRAIN, VALID or TEST.

        Returns
        -------
        dict
            ``logits`` and ``embedding``; in training also
            ``masked_logits`` and ``keys`` when the terms need them.
        """
        batch = batch.to(self.device)
        wavs, lengths = batch.sig
        model = self.modules.model
        if stage != sb.Stage.TRAIN:
            logits, embedding = model(wavs, lengths)
            return {"logits": logits, "embedding": embedding}

        # Augmentation first: the masked view is a band of the augmented x.
        wavs = apply_augmentation(
            self._hparam("augmentation", None),
            wavs,
            lengths,
            keys=self._mask_keys(batch),
        )
        out = {}
        if self.masking_on:
            masked = self.modules.masker(wavs, keys=self._mask_keys(batch))
            if self._hparam("joint_forward", True):
                logits, embedding = model(
                    torch.cat([wavs, masked]), torch.cat([lengths, lengths])
                )
                n = wavs.shape[0]
                out["masked_logits"] = logits[n:]
                logits, embedding = logits[:n], embedding[:n]
            else:
                logits, embedding = model(wavs, lengths)
                out["masked_logits"], _ = model(masked, lengths)
        else:
            masked = None
            logits, embedding = model(wavs, lengths)
        out.update(logits=logits, embedding=embedding)

        if self.ini_on:
            key_wavs, key_lengths = wavs, lengths
            if masked is not None and self._hparam(
                "masked_view_in_bank", False
            ):
                key_wavs = torch.cat([wavs, masked])
                key_lengths = torch.cat([lengths, lengths])
            out["keys"] = self.modules.momentum_encoder(key_wavs, key_lengths)
        return out

    def _mask_keys(self, batch):
        """Per-utterance keys of the band draws: (seed, epoch, id), so that
        an utterance's mask does not depend on the process or a resume."""
        seed = self._hparam("seed", 0)
        counter = self._hparam("epoch_counter", None)
        epoch = counter.current if counter is not None else 0
        return [(seed, epoch, utt_id) for utt_id in batch.id]

    def compute_objectives(self, predictions, batch, stage):
        """Computes the weighted FICA loss (training) or the validation loss
        and the metric statistics (VALID / TEST).

        Arguments
        ---------
        predictions : dict
            Output of :meth:`compute_forward`.
        batch : PaddedBatch
            With ``target`` ``[B, 1]`` and ``id`` (and optionally ``attack``).
        stage : speechbrain.Stage
            TRAIN, VALID or TEST.

        Returns
        -------
        torch.Tensor
            The loss.
        """
        targets = batch.target.data.reshape(-1)
        classification_loss = self.hparams.classification_loss
        logits = predictions["logits"]
        if stage != sb.Stage.TRAIN:
            scores = cm_scores(
                logits, self._hparam("score_type", "bonafide_logit")
            )
            self.metrics.append(
                batch.id, scores, targets, getattr(batch, "attack", None)
            )
            loss = classification_loss(logits.float(), targets)
            finite = torch.isfinite(scores.reshape(len(batch.id), -1))
            finite = finite.all(dim=1)
            if not bool(finite.all()) or not bool(torch.isfinite(loss)):
                # SpeechBrain's loss average leaves NaN out silently: count.
                self.eval_nonfinite_batches += 1
                self.eval_nonfinite_ids += [
                    utt_id for utt_id, ok in zip(batch.id, finite) if not ok
                ]
            return loss

        weights = self.weights
        terms = {"ce_clean": classification_loss(logits.float(), targets)}
        if self.masking_on:
            masked_logits = predictions["masked_logits"].float()
            if weights["ce_masked"] > 0:
                terms["ce_masked"] = classification_loss(masked_logits, targets)
            if weights["inf"] > 0:
                terms["inf"] = js_consistency_loss(logits, masked_logits)
        if self.ini_on:
            bank_keys, bank_labels = self.modules.memory_bank.contents()
            pairs, anchors = INI_REDUCTIONS[
                self._hparam("ini_reduction", "mean")
            ]
            terms["ini"] = instance_correlation_loss(
                predictions["embedding"],
                targets,
                bank_keys,
                bank_labels,
                reduction=anchors,
                pair_reduction=pairs,
            )
            n_views = predictions["keys"].shape[0] // targets.shape[0]
            self._bank_items = (predictions["keys"], targets.repeat(n_views))
        for name, value in terms.items():
            self.term_sums[name] = self.term_sums.get(name, 0.0) + float(
                value.detach()
            )
        self.term_count += 1
        every = int(self._hparam("grad_norm_every", 0))
        if every > 0 and (self.step - 1) % every == 0:
            measured = dict(terms)
            if "ini" in measured and len(bank_keys) == 0:
                del measured["ini"]
            self._record_gradient_norms(measured, weights)
        return sum(weights[name] * value for name, value in terms.items())

    def fit_batch(self, batch):
        """One training step that a non-finite batch cannot poison.

        As SpeechBrain's ``fit_batch`` (forward, loss, backward, optimiser
        step every ``grad_accumulation_factor`` batches, then
        :meth:`on_fit_batch_end`), except when the loss or any forward
        output is NaN or infinite, in any DDP process (the processes agree
        with one ``all_reduce``, so that every process skips the batch or
        none does). A skipped batch:

        * leaves every piece of training state as it was before it: no
          backward and no optimiser step (the optimiser state and the AMP
          grad scaler are untouched), the running statistics of every
          normalisation layer (BatchNorm's running mean, variance and
          batch count, of the backbone and of the momentum encoder)
          restored from a copy taken before the forward, the loss-term sums
          restored, no memory-bank update and no momentum-encoder or
          per-step learning-rate step (the bank's ``all_gather`` and the
          EMA step then happen in no process);
        * is logged with its utterance ids (and those with non-finite
          input samples) and counted: ``nonfinite_batches`` over the run,
          and SpeechBrain's ``nonfinite_count``, which stops training once
          it exceeds ``nonfinite_patience`` in an epoch;
        * with gradient accumulation, when it is the batch that would step
          the optimiser, also drops the gradients accumulated over its
          window (their DDP reduction happens in that batch's backward).

        Arguments
        ---------
        batch : PaddedBatch
            The batch.

        Returns
        -------
        torch.Tensor
            The detached loss; NaN for a skipped batch (in every process,
            so that it enters no process's average).
        """
        should_step = (self.step % self.grad_accumulation_factor) == 0
        self.on_fit_batch_start(batch, should_step)
        statistics = self._normalization_statistics()
        saved_statistics = [buffer.clone() for buffer in statistics]
        saved_terms = (dict(self.term_sums), self.term_count)

        with self.no_sync(not should_step):
            with self.training_ctx:
                outputs = self.compute_forward(batch, sb.Stage.TRAIN)
                loss = self.compute_objectives(outputs, batch, sb.Stage.TRAIN)
            finite_here = _all_finite(loss, outputs)
            skip = _true_on_any_rank(not finite_here, self.device)
            if not skip:
                scaled_loss = self.scaler.scale(
                    loss / self.grad_accumulation_factor
                )
                self.check_loss_isfinite(scaled_loss)
                scaled_loss.backward()

        if skip:
            with torch.no_grad():
                for buffer, saved in zip(statistics, saved_statistics):
                    buffer.copy_(saved)
            self.term_sums, self.term_count = saved_terms
            self._bank_items = None
            if should_step:
                self.zero_grad(set_to_none=True)
            self.nonfinite_batches += 1
            self._log_skipped_batch(batch, finite_here)
            nan = torch.tensor(float("nan"))
            # Counts toward nonfinite_patience (raises once exhausted).
            self.check_loss_isfinite(nan)
            return nan

        if should_step:
            self.optimizers_step()
        self.on_fit_batch_end(batch, outputs, loss, should_step)
        return loss.detach().cpu()

    def _normalization_statistics(self):
        """The running-statistics buffers of every normalisation layer of
        the modules (the state a training forward changes)."""
        return [
            buffer
            for module in self.modules.modules()
            if isinstance(module, _NormBase)
            for buffer in module.buffers(recurse=False)
        ]

    def _log_skipped_batch(self, batch, finite_here):
        """Logs a skipped training batch with its utterance ids."""
        ids = list(batch.id)
        if finite_here:
            logger.warning(
                "training batch skipped: another process had a non-finite "
                "loss or output (utterances of this process's batch: %s)",
                _describe_ids(ids),
            )
            return
        wavs = batch.sig.data
        bad_inputs = [
            utt_id
            for utt_id, ok in zip(
                ids, torch.isfinite(wavs.reshape(len(ids), -1)).all(dim=1)
            )
            if not ok
        ]
        logger.warning(
            "non-finite loss or output on the training batch of utterances "
            "%s (non-finite input samples in: %s): batch skipped, weights, "
            "optimiser, BatchNorm statistics, momentum encoder and memory "
            "bank left as they were (%d such batch(es) so far; training "
            "stops after nonfinite_patience = %d in an epoch)",
            _describe_ids(ids),
            _describe_ids(bad_inputs) if bad_inputs else "none",
            self.nonfinite_batches,
            self.nonfinite_patience,
        )

    def _gradient_norm_means(self):
        """The epoch means of the measured gradient-norm ratios, over the
        measured steps of every process (one all-reduce under DDP)."""
        keys = ["gnorm_ce"] + [f"gnorm_{t}/ce" for t in LOSS_TERMS[1:]]
        totals = [self.gnorm_sums.get(k, 0.0) for k in keys]
        totals += [float(self.gnorm_counts.get(k, 0)) for k in keys]
        if dist.is_available() and dist.is_initialized():
            device = "cuda" if dist.get_backend() == "nccl" else "cpu"
            tensor = torch.tensor(totals, dtype=torch.float64, device=device)
            dist.all_reduce(tensor)
            totals = tensor.tolist()
        sums, counts = totals[: len(keys)], totals[len(keys) :]
        return {
            key: total / count
            for key, total, count in zip(keys, sums, counts)
            if count > 0
        }

    def _record_gradient_norms(self, terms, weights):
        """Adds, for each weighted term, the norm of its gradient with
        respect to the backbone's trainable parameters relative to that of
        the clean cross-entropy (see ``grad_norm_every``)."""
        params = [p for p in self.modules.model.parameters() if p.requires_grad]
        if weights["ce_clean"] <= 0 or not params:
            return
        # fp16 AMP: differentiate the terms at the loss scale, as the
        # training backward does, so that small gradients do not underflow.
        scale = self.scaler.get_scale() if self.scaler.is_enabled() else 1.0
        norms = {}
        for name, value in terms.items():
            if weights[name] <= 0 or not value.requires_grad:
                continue
            grads = torch.autograd.grad(
                weights[name] * scale * value,
                params,
                retain_graph=True,
                allow_unused=True,
            )
            squares = [g.float().pow(2).sum() for g in grads if g is not None]
            norm = float(torch.stack(squares).sum().sqrt()) if squares else 0.0
            norms[name] = norm / scale
        reference = norms.get("ce_clean", 0.0)
        if not (0.0 < reference < float("inf")):
            return
        values = {"gnorm_ce": reference}
        for name, norm in norms.items():
            if name != "ce_clean" and norm == norm and norm < float("inf"):
                values[f"gnorm_{name}/ce"] = norm / reference
        for key, value in values.items():
            self.gnorm_sums[key] = self.gnorm_sums.get(key, 0.0) + value
            self.gnorm_counts[key] = self.gnorm_counts.get(key, 0) + 1

    def on_fit_batch_start(self, batch, should_step):
        """Re-applies the random states of a recovered checkpoint before the
        first step after a resume.

        Arguments
        ---------
        batch : PaddedBatch
            The batch.
        should_step : bool
            Whether the optimiser will step.
        """
        self.random_states.reapply()

    def on_fit_batch_end(self, batch, outputs, loss, should_step):
        """Fills the memory bank, moves the momentum encoder, steps the
        per-step learning-rate schedule.

        Arguments
        ---------
        batch : PaddedBatch
            The batch.
        outputs : dict
            Output of :meth:`compute_forward`.
        loss : torch.Tensor
            The loss.
        should_step : bool
            Whether the optimiser stepped.
        """
        # Called for finite batches only (see fit_batch).
        bank_items, self._bank_items = self._bank_items, None
        if bank_items is not None:
            self.modules.memory_bank.enqueue(*bank_items)
        if should_step and self.ini_on:
            self.modules.momentum_encoder.update(self.modules.model)
        scheduler = self._hparam("lr_step_scheduler", None)
        if should_step and scheduler is not None:
            scheduler(self.optimizer)

    # ------------------------------------------------------------------
    # Optimiser and stages
    # ------------------------------------------------------------------
    def init_optimizers(self):
        """One optimiser over the trainable parameters only (the momentum
        encoder and the frozen quirk BatchNorms are not optimised), in the
        backbone's parameter groups when the yaml gives ``param_groups``."""
        if self.opt_class is None:
            return super().init_optimizers()
        trainable = [p for p in self.modules.parameters() if p.requires_grad]
        self.optimizer = self.opt_class(self._parameter_groups(trainable))
        self.optimizers_dict = {"opt_class": self.optimizer}
        if self.checkpointer is not None:
            self.checkpointer.add_recoverable("optimizer", self.optimizer)

    def _parameter_groups(self, trainable):
        """``trainable``, or the backbone's groups (plus a group of any
        other trainable parameters) when ``param_groups`` is set."""
        rates = self._hparam("param_groups", None)
        if not rates:
            return trainable
        model = unwrap_module(self.modules.model)
        if not hasattr(model, "parameter_groups"):
            raise ValueError(
                f"param_groups is set but {type(model).__name__} has no "
                "parameter_groups method; remove param_groups from the yaml"
            )
        groups = model.parameter_groups(**rates)
        grouped = {id(p) for group in groups for p in group["params"]}
        rest = [p for p in trainable if id(p) not in grouped]
        return groups + ([{"name": "other", "params": rest}] if rest else [])

    def _wrap_distributed(self):
        """DDP on CPU too: PyTorch's SyncBatchNorm (SpeechBrain's choice)
        is GPU-only, so on CPU the batch norms are replaced by
        :class:`~speechbrain_fica.nnet.normalization.DistributedBatchNorm`
        (same keys, statistics pooled over processes with gloo)."""
        if not self.distributed_launch or "cuda" in str(self.device):
            return super()._wrap_distributed()
        for name, module in self.modules.items():
            if any(p.requires_grad for p in module.parameters()):
                module = convert_to_distributed_batchnorm(module)
                self.modules[name] = DDP(
                    module,
                    device_ids=None,
                    find_unused_parameters=self.find_unused_parameters,
                )

    def on_fit_start(self):
        """Starts the momentum encoder from the model's (possibly
        pretrained) weights unless a checkpoint restored it."""
        super().on_fit_start()
        if self.ini_on:
            encoder = self.modules.momentum_encoder
            if int(encoder.num_updates) == 0:
                encoder.copy_from(self.modules.model)

    def on_evaluate_start(self, max_key=None, min_key=None):
        """Loads the chosen checkpoint's evaluation state only (the
        backbone and the epoch counter): training-only state such as the
        memory bank is not needed, so a test-only run may change FICA
        settings (e.g. ``bank_size``) without breaking the loading.

        Arguments
        ---------
        max_key : str, optional
            Checkpoint meta key to maximise.
        min_key : str, optional
            Checkpoint meta key to minimise.
        """
        if self.checkpointer is None:
            return
        recoverables = self.checkpointer.recoverables
        self.checkpointer.recoverables = {
            name: obj
            for name, obj in recoverables.items()
            if name not in TRAINING_ONLY_STATE
        }
        try:
            self.checkpointer.recover_if_possible(
                max_key=max_key, min_key=min_key
            )
        finally:
            self.checkpointer.recoverables = recoverables

    def _asv(self, path):
        """ASV scores for the t-DCF, or None (with a warning) if absent."""
        if not path:
            return None
        if path not in self._asv_cache:
            if os.path.isfile(path):
                self._asv_cache[path] = read_asv_scores_2019(path)
            else:
                logger.warning(
                    "ASV score file %s not found: min t-DCF not computed",
                    path,
                )
                self._asv_cache[path] = None
        return self._asv_cache[path]

    def on_stage_start(self, stage, epoch=None):
        """Resets the loss-term averages or the metric statistics.

        Arguments
        ---------
        stage : speechbrain.Stage
            The stage starting.
        epoch : int, optional
            The epoch number.
        """
        if stage == sb.Stage.TRAIN:
            # A run resumed mid-epoch keeps the sums of its checkpoint.
            if self.step == 0:
                self.term_sums, self.term_count = {}, 0
                self.gnorm_sums, self.gnorm_counts = {}, {}
            return
        self.eval_nonfinite_batches, self.eval_nonfinite_ids = 0, []
        if stage == sb.Stage.VALID:
            asv_path = self._hparam("asv_scores_valid", None)
        else:
            asv_path = self._hparam("asv_scores_test", None)
        asv = self._asv(asv_path)
        self.metrics = SpoofMetricStats(asv=asv)

    @sb.utils.checkpoints.mark_as_saver
    def _save(self, path):
        """SpeechBrain's step counters plus the running loss-term sums, so
        that an epoch resumed from an intra-epoch checkpoint logs the same
        averages as an uninterrupted one."""
        super()._save(path)
        with open(path, encoding="utf-8") as f:
            state = yaml.safe_load(f)
        state["term_sums"] = {k: float(v) for k, v in self.term_sums.items()}
        state["term_count"] = int(self.term_count)
        state["gnorm_sums"] = {k: float(v) for k, v in self.gnorm_sums.items()}
        state["gnorm_counts"] = {
            k: int(v) for k, v in self.gnorm_counts.items()
        }
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(state, f)

    @sb.utils.checkpoints.mark_as_loader
    def _recover(self, path, end_of_epoch):
        """Counterpart of :meth:`_save`."""
        super()._recover(path, end_of_epoch)
        with open(path, encoding="utf-8") as f:
            state = yaml.safe_load(f)
        self.term_sums = dict(state.get("term_sums", {}))
        self.term_count = int(state.get("term_count", 0))
        self.gnorm_sums = dict(state.get("gnorm_sums", {}))
        self.gnorm_counts = dict(state.get("gnorm_counts", {}))

    def _summarize(self, stage, stage_loss):
        """The stage's statistics, and why those that are NaN are.

        A loss average that SpeechBrain computed over the finite batches
        only (it leaves NaN losses out) is reported as NaN, with the
        number of non-finite batches and their utterances.

        Returns
        -------
        stats : dict
            ``loss``, ``EER``, ... (NaN where not computable).
        reasons : dict
            ``{name: why}`` for every NaN statistic.
        """
        name = "dev" if stage == sb.Stage.VALID else self.test_name
        stats, reasons = {"loss": stage_loss}, {}
        if self.eval_nonfinite_batches:
            ids = self.eval_nonfinite_ids
            reasons["loss"] = (
                f"{self.eval_nonfinite_batches} batch(es) with a non-finite "
                f"loss or scores; {len(ids)} utterance(s) with non-finite "
                f"scores: {_describe_ids(ids) if ids else 'none'}"
            )
            stats["loss"] = float("nan")
            logger.warning("%s set: %s", name, reasons["loss"])
        try:
            stats.update(self.metrics.summarize())
            problem = getattr(self.metrics, "problem", None)
        except ValueError as error:
            stats["EER"] = float("nan")
            problem = str(error)
        for key in ("EER", "EER_threshold", "min_tDCF"):
            value = stats.get(key)
            if value is not None and not math.isfinite(value):
                reasons[key] = problem or f"value was {value}"
        if "EER" in reasons:
            logger.warning(
                "%s set: EER not computable: %s", name, reasons["EER"]
            )
        return stats, reasons

    def on_stage_end(self, stage, stage_loss, epoch=None):
        """Logs the stage, anneals the rate, saves checkpoints by dev EER,
        and writes the test outputs.

        Arguments
        ---------
        stage : speechbrain.Stage
            The stage ending.
        stage_loss : float
            Its average loss.
        epoch : int, optional
            The epoch number.
        """
        if stage == sb.Stage.TRAIN:
            if self.step == 0:
                # check_training_batches catches this in fit_recipe.
                raise RuntimeError(
                    f"epoch {epoch} ran no training batch: the training "
                    "loader is empty (set size, batch_size, drop_last)"
                )
            # Under DDP every rank averages its own batches: log the mean
            # over ranks (their batch counts are equal), i.e. the global mean.
            self.train_stats = {"loss": _mean_over_ranks(stage_loss)}
            for name in LOSS_TERMS:
                if name in self.term_sums:
                    mean = self.term_sums[name] / max(self.term_count, 1)
                    self.train_stats[name] = _mean_over_ranks(mean)
            self.train_stats.update(self._gradient_norm_means())
            if self.ini_on:
                counts = self.modules.memory_bank.class_counts()
                self.train_stats["bank_bonafide"] = counts.get(1, 0)
                self.train_stats["bank_spoof"] = counts.get(0, 0)
            return

        stats, reasons = self._summarize(stage, stage_loss)
        if stage == sb.Stage.VALID:
            old_lr = self.optimizer.param_groups[0]["lr"]
            annealing = self._hparam("lr_annealing", None)
            if annealing is not None:
                old_lr, new_lr = annealing(epoch)
                sb.nnet.schedulers.update_learning_rate(self.optimizer, new_lr)
            self.hparams.train_logger.log_stats(
                stats_meta={"epoch": epoch, "lr": old_lr},
                train_stats=getattr(self, "train_stats", None),
                valid_stats=stats,
            )
            self.checkpointer.save_and_keep_only(
                meta=self._checkpoint_meta(stats, reasons, epoch),
                min_keys=["EER"],
                num_to_keep=int(self._hparam("ckpt_num_to_keep", 2)),
            )
        else:
            self.test_stats = stats
            self.hparams.train_logger.log_stats(
                stats_meta={
                    "set": self.test_name,
                    "epoch loaded": self.hparams.epoch_counter.current,
                },
                test_stats=stats,
            )
            if if_main_process():
                self.write_test_outputs({**stats, "reasons": reasons})
            # The other processes wait for the outputs before going on.
            ddp_barrier()

    def warn_if_resuming_other_data(self):
        """Warns when the checkpoint that ``fit`` will resume from was
        saved while training on other data than ``data_fingerprint``
        (e.g. the output folder of an earlier run, reused after the
        corpus or its protocols changed).

        Returns
        -------
        bool
            True when it warned.
        """
        if self.checkpointer is None or self.data_fingerprint is None:
            return False
        checkpoint = self.checkpointer.find_checkpoint()
        if checkpoint is None:
            return False
        saved = checkpoint.meta.get("data")
        if saved is None or saved == self.data_fingerprint:
            return False
        logger.warning(
            "resuming from %s, which was saved while training on other "
            "data (the training or dev manifest changed since: fingerprint "
            "%s, now %s); its weights and epoch count carry over. To "
            "start afresh, use a new output_folder or delete its save/",
            checkpoint.path,
            saved,
            self.data_fingerprint,
        )
        return True

    def _checkpoint_meta(self, stats, reasons, epoch):
        """The checkpoint meta of a validation: the dev EER, +inf when it
        could not be computed (never NaN, which breaks the ordering of the
        checkpoints), its threshold (kept for exported detectors) and the
        data fingerprint (see :meth:`warn_if_resuming_other_data`)."""
        eer = float(stats["EER"])
        if not math.isfinite(eer):
            logger.warning(
                "epoch %s: the dev EER is not computable (%s): its "
                "checkpoint is stored with EER = inf and never preferred "
                "to one with a computed EER",
                epoch,
                reasons.get("EER", f"value was {eer}"),
            )
            meta = {"EER": float("inf")}
        else:
            meta = {"EER": eer}
        threshold = stats.get("EER_threshold")
        if threshold is not None and math.isfinite(threshold):
            meta["EER_threshold"] = float(threshold)
        if self.data_fingerprint is not None:
            meta["data"] = self.data_fingerprint
        return meta

    def write_test_outputs(self, stats):
        """Writes the score file, summary, per-attack table and plots of
        the current test set (see
        :func:`speechbrain_fica.metrics.report.write_test_outputs`).

        Arguments
        ---------
        stats : dict
            Summary statistics of the test set; ``reasons`` (``{name:
            why}``) explains the values that could not be computed (written
            as null, with the reason under ``null_reasons``).

        Returns
        -------
        str
            The folder the outputs were written to.
        """
        folder = os.path.join(self.hparams.output_folder, self.test_name)
        write_test_outputs(
            self.metrics,
            stats,
            folder,
            self.test_name,
            score_format=str(self._hparam("score_format", "2019")),
        )
        return os.path.abspath(folder)
